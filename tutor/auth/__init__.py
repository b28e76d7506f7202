"""Authentication (password -> JWT, service API keys) and authorization (roles, tenancy)."""
