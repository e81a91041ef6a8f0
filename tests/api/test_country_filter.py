"""Pages name a country in the reader's language (the dashboard's largest import partner
showed its ISO code, "CH")."""

from aurum.api.templating import TEMPLATES
from aurum.core import i18n


def test_the_country_filter_names_the_country_in_the_readers_language() -> None:
    template = TEMPLATES.env.from_string("{{ 'CH' | country }}")
    with i18n.using("zh_CN"):
        assert template.render() == "瑞士"
    with i18n.using("en"):
        assert template.render() == "Switzerland"
