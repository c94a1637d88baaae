"""Sealed bids are padded to a bucket, so the ciphertext's length does not reveal how long
the bid is; bids sealed before padding still open."""

from __future__ import annotations

import json
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from caidan.procurement import sealing
from caidan.procurement.inputs import BidContentInput
from caidan.procurement.models import Bid
from caidan.procurement.services import bid_submit

from .factories import make_bidder, open_now, published_tender

pytestmark = pytest.mark.django_db

SHORT = {"price": "800000.00", "plan": "上门", "team": "1 名"}
LONG = {
    "price": "812345.67",
    "plan": "由持证社工分七步上门服务。" * 80,
    "team": "社工 5 名，护理员 12 名",
}


def test_bids_of_very_different_lengths_have_equal_ciphertext_lengths(world):
    assert len(json.dumps(LONG, ensure_ascii=False).encode()) > 10 * len(
        json.dumps(SHORT, ensure_ascii=False).encode()
    )
    t = published_tender(world)
    a, b = make_bidder(world), make_bidder(world)
    short = bid_submit(
        tender=t, organization=a.org, data=BidContentInput.parse(SHORT), actor=a.actor
    )
    long = bid_submit(tender=t, organization=b.org, data=BidContentInput.parse(LONG), actor=b.actor)
    short_blob = bytes(Bid.objects.get(pk=short.pk).sealed)
    long_blob = bytes(Bid.objects.get(pk=long.pk).sealed)
    assert len(short_blob) == len(long_blob) == sealing.PAD_MIN + 16  # one bucket + GCM tag
    # opening restores each content exactly
    open_now(t)
    assert Bid.objects.get(pk=short.pk).content == SHORT
    assert Bid.objects.get(pk=long.pk).content == LONG


@pytest.mark.parametrize(
    ("length", "bucket"),
    [(0, 4096), (4096 - 5, 4096), (4096 - 4, 8192), (8192 - 5, 8192), (9000, 16384)],
)
def test_buckets_are_powers_of_two_from_4_kib(length, bucket):
    content = os.urandom(length)
    padded = sealing.pad(content)
    assert len(padded) == bucket
    assert sealing.unpad(padded) == content


def test_a_bid_sealed_before_padding_still_opens(world):
    """Bare JSON plaintext (as sealed before padding existed) is read as it is."""
    t = published_tender(world)
    bidder = make_bidder(world)
    bid = bid_submit(
        tender=t, organization=bidder.org, data=BidContentInput.parse(SHORT), actor=bidder.actor
    )
    legacy = {"price": "777777.77", "plan": "旧格式", "team": "2 名"}
    nonce = os.urandom(12)
    ciphertext = AESGCM(sealing._seal_key(t)).encrypt(
        nonce,
        json.dumps(legacy, ensure_ascii=False, sort_keys=True).encode(),
        sealing._aad(t.pk, bidder.org.pk, bid.seal_id),
    )
    receipt = sealing.receipt_for(
        tender_id=t.pk,
        organization_id=bidder.org.pk,
        seal_id=bid.seal_id,
        nonce=nonce,
        ciphertext=ciphertext,
    )
    Bid.objects.filter(pk=bid.pk).update(sealed=ciphertext, nonce=nonce, receipt=receipt)
    open_now(t)
    assert Bid.objects.get(pk=bid.pk).content == legacy
