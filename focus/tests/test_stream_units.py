"""The stream's pure parts: SSE framing, Last-Event-ID parsing, the announcement's shape; and the
publisher against a real Redis (a subscriber sees one announcement per committed write)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest
import redis

from focus.stream.hub import parse_announcement
from focus.stream.publish import CHANNEL, announcement, events_publish
from focus.stream.sse import KEEPALIVE, parse_last_event_id, sse_message, sse_preamble


def test_a_message_is_id_event_and_one_data_line_then_a_blank_line():
    text = sse_message(event_id=42, event_type="nudge", data='{"id":42,"content":{"message":"a\\nb"}}')
    assert text == 'id: 42\nevent: nudge\ndata: {"id":42,"content":{"message":"a\\nb"}}\n\n'


def test_text_with_line_breaks_becomes_several_data_lines():
    assert sse_message(event_id=1, event_type="x", data="a\nb\r\nc") == "id: 1\nevent: x\ndata: a\ndata: b\ndata: c\n\n"


def test_keepalive_and_preamble_are_comments_and_a_retry():
    assert KEEPALIVE.startswith(":") and KEEPALIVE.endswith("\n\n")
    assert sse_preamble().startswith("retry: ")


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), (" 17 ", 17), ("0", 0)])
def test_last_event_id_is_digits_or_nothing(value, expected):
    assert parse_last_event_id(value) == expected


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "²", "1" * 19, "1 2"])
def test_a_malformed_last_event_id_is_refused(value):
    with pytest.raises(ValueError):
        parse_last_event_id(value)


@dataclass
class Written:
    id: int
    session_id: uuid.UUID


def test_an_announcement_names_each_session_once_with_its_newest_id():
    a, b = uuid.uuid4(), uuid.uuid4()
    text = announcement([Written(5, a), Written(9, b), Written(7, a)])
    assert sorted(json.loads(text)) == sorted([[str(a), 7], [str(b), 9]])
    assert sorted(parse_announcement(text)) == sorted([(a, 7), (b, 9)])


@pytest.mark.parametrize("junk", [b"", b"not json", b"[1]", b'[["not-a-uuid", 1]]', b'{"a": 1}'])
def test_a_malformed_announcement_is_ignored(junk):
    assert parse_announcement(junk) == []


def test_the_publisher_announces_on_the_brokers_redis(settings):
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        pytest.skip("needs CELERY_BROKER_URL=redis://")
    settings.FOCUS_STREAM_REDIS_URL = url
    subscriber = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
    subscriber.subscribe(CHANNEL)
    session_id = uuid.uuid4()
    events_publish([Written(3, session_id)])
    message = None
    for _ in range(50):
        message = subscriber.get_message(timeout=0.1)
        if message and (session_id, 3) in parse_announcement(message["data"]):
            break
    else:
        raise AssertionError(f"no announcement seen (last: {message})")
    subscriber.close()


def test_a_publisher_without_redis_does_nothing_and_a_dead_redis_does_not_raise(settings):
    settings.FOCUS_STREAM_REDIS_URL = ""
    events_publish([Written(1, uuid.uuid4())])
    settings.FOCUS_STREAM_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    events_publish([Written(1, uuid.uuid4())])
    assert settings.BROKER_REQUEST_TIMEOUT <= 1
