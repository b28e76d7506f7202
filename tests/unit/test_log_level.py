"""TUTOR_LOG_LEVEL reaches the app's structlog records (it used to be read and then ignored)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tutor.logging import log_level_number, structlog_plugin


@pytest.fixture
def restore_info_logging() -> Iterator[None]:
    yield
    structlog_plugin("INFO")._config.structlog_logging_config.configure()


@pytest.mark.parametrize(
    ("level", "info_shown", "warning_shown"), [("INFO", True, True), ("WARNING", False, True)]
)
def test_the_configured_level_filters_the_apps_records(
    level: str,
    info_shown: bool,
    warning_shown: bool,
    capfd: pytest.CaptureFixture[str],
    restore_info_logging: None,
) -> None:
    logger = structlog_plugin(level)._config.structlog_logging_config.configure()()
    capfd.readouterr()
    logger.info("an info record")
    logger.warning("a warning record")
    out, err = capfd.readouterr()
    assert ("an info record" in out + err) is info_shown
    assert ("a warning record" in out + err) is warning_shown


def test_an_unknown_level_is_refused_at_start_up() -> None:
    assert log_level_number("debug") == 10
    with pytest.raises(ValueError, match="TUTOR_LOG_LEVEL"):
        log_level_number("LOUD")
