"""Issue 22 §3: bots are known by their user agent (the maintained crawler list), browsers
are not; a visitor's pseudonym depends on the day's salt, so two days' cannot be linked."""

from __future__ import annotations

import pytest

from dataip.value.visitors import is_bot, visitor_id

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
WECHAT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x18003233) NetType/WIFI Language/zh_CN"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.mark.parametrize(
    "ua",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/131.0 Safari/537.36",
        "",
        "   ",
    ],
)
def test_r27_bots_are_recognised(ua: str) -> None:
    assert is_bot(ua)


@pytest.mark.parametrize("ua", [CHROME, WECHAT, FIREFOX])
def test_r27_browsers_are_not_bots(ua: str) -> None:
    assert not is_bot(ua)


def test_r27_visitor_pseudonym_rotates_with_the_salt() -> None:
    a = visitor_id(b"\x01" * 32, "203.0.113.7", CHROME)
    assert a == visitor_id(b"\x01" * 32, "203.0.113.7", CHROME)
    assert len(a) == 32 and "203.0.113.7" not in a
    assert a != visitor_id(b"\x02" * 32, "203.0.113.7", CHROME)  # the next day's salt
    assert a != visitor_id(b"\x01" * 32, "203.0.113.8", CHROME)
    assert a != visitor_id(b"\x01" * 32, "203.0.113.7", FIREFOX)
