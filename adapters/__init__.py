"""Model integrations (LLM, speech, formula OCR, DP training) behind small protocols.

Heavy libraries (torch, transformers, whisper, pix2tex, opacus) are imported lazily inside each
adapter so that the API starts fast and routes that need no model never import torch.
"""
