"""Issue 12 item 15: the values clerks write in their own workbooks for 运行状态 and 平台 are
read as the registry's codes (ASCII or full-width brackets, 运行中 / 在用 / 已注销 …)."""

from __future__ import annotations

import pytest

from gzdesk import enums


@pytest.mark.parametrize(("text", "code"), [
    ("运行中", "normal"), ("在用", "normal"), ("正常运行", "normal"), ("正常运营", "normal"), ("使用中", "normal"),
    ("已暂停", "paused"), ("暂停更新", "paused"), ("已停更", "paused"),
    ("已关停", "closed"), ("已关闭", "closed"), ("已注销", "cancelled"), ("注 销", "cancelled"),
])
def test_status_variants(text, code):
    assert enums.code_for("status", text) == code


@pytest.mark.parametrize(("text", "code"), [
    ("微信公众号（订阅号）", "wechat_subscription"), ("微信公众号(订阅号)", "wechat_subscription"),
    ("微信公众号(服务号)", "wechat_service"), ("公众号", "wechat_subscription"), ("头条号", "toutiao"),
    ("微博", "weibo"), ("新浪微博号", "weibo"), ("抖音号", "douyin"), ("快手号", "kuaishou"),
    ("移动客户端(APP)", "app"),
])
def test_platform_variants(text, code):
    assert enums.code_for("platform", text) == code


@pytest.mark.parametrize("text", ["停用", "运行？", "微信群"])
def test_what_could_mean_two_things_is_not_guessed(text):
    """停用 could be 暂停 or 关停: the wizard asks the clerk instead of choosing."""
    assert enums.code_for("status", text) is None and enums.code_for("platform", text) is None
