"""MinHash signatures and LSH band keys of a comment's shingles (datasketch).

A signature is NUM_PERM 32-bit minima, stored as bytes so that a later comment is compared with
the stored ones without reading their text again. LSH cuts it into BANDS bands of ROWS values:
two comments share a band key with probability 1 - (1 - J^ROWS)^BANDS for Jaccard similarity J,
about 0.98 at J = 0.6 and 0.12 at J = 0.2, so only likely pairs are ever compared. The seed is
fixed: the same text has the same signature on every machine and in every rebuild.
"""

import zlib

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param

NUM_PERM = 64
# Named, not left to the default: datasketch 2.0 changed its default permutation scheme, and a
# stored signature is only comparable with one made by the same scheme.
SCHEME = "affine32"
SEED = 19
# Near-identical: estimated Jaccard similarity of the shingle sets at least this. Form letters
# with a few words changed, a sentence inserted and another signature stay well above it
# (bench/campaigns.py measures precision and recall); unrelated comments are near 0.
THRESHOLD = 0.5
# datasketch's own choice of bands for a threshold a little under ours, so that pairs just above
# THRESHOLD are still found (false positives are checked against the signatures anyway).
BANDS, ROWS = _optimal_param(0.4, NUM_PERM, 0.5, 0.5)

# One permutation table for the process: MinHash(seed=...) builds it again on every call.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=zlib.crc32, scheme=SCHEME)


def _shingle_hash(shingle: bytes) -> int:
    # CRC-32: deterministic across processes (Python's hash() is salted) and fast; a collision
    # only merges two shingles of one comment, which MinHash tolerates.
    return zlib.crc32(shingle)


def signature_of(shingles: set[str]) -> np.ndarray:
    """The MinHash values (uint32) of a non-empty shingle set (the order of the set is irrelevant:
    each value is a minimum)."""
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=_shingle_hash,
        permutations=_TEMPLATE.permutations,
        scheme=SCHEME,
    )
    minhash.update_batch([shingle.encode() for shingle in shingles])
    return minhash.hashvalues.astype(np.uint32)


def signature_bytes(signature: np.ndarray) -> bytes:
    return signature.astype("<u4").tobytes()


def signature_from_bytes(raw: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype="<u4").astype(np.uint32)


# Band keys mix the band's values with a multiply-xorshift (the finaliser of SplitMix64): numpy
# computes a million comments' keys at once for a rebuild, and one comment's in a few µs.
_MIX = np.uint64(0x9E3779B97F4A7C15)
_BAND_SALTS = (np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0xBF58476D1CE4E5B9)).reshape(1, BANDS)


def band_key_matrix(signatures: np.ndarray) -> np.ndarray:
    """The band keys (int64, a PostgreSQL bigint) of each row of an (n, NUM_PERM) signature array."""
    rows = signatures.astype(np.uint64).reshape(len(signatures), BANDS, ROWS)
    keys = np.repeat(_BAND_SALTS, len(signatures), axis=0)
    with np.errstate(over="ignore"):
        for row in range(ROWS):
            keys = (keys ^ rows[:, :, row]) * _MIX
            keys ^= keys >> np.uint64(31)
    return keys.view(np.int64)


def band_keys(signature: np.ndarray) -> list[int]:
    """One comment's band keys, as band_key_matrix computes them."""
    return [int(key) for key in band_key_matrix(signature.reshape(1, NUM_PERM))[0]]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal MinHash values."""
    return float(np.count_nonzero(a == b)) / NUM_PERM
