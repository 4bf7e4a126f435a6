import pytest


@pytest.fixture
def every_segment_shown(settings):  # type: ignore[no-untyped-def]
    """Breakdowns by country or type of small test data, shown as numbers: the threshold that
    suppresses small cells (HEAT_MIN_ORGANIZATIONS, default 3) set to 1, as a site may choose.
    The tests of suppression itself keep the default."""
    settings.HEAT_MIN_ORGANIZATIONS = 1
