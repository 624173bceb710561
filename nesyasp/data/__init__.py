"""Image data with concept masks, generated or bundled, never downloaded.

* ``scenes``: generated indoor rooms (10 classes) built from object concepts,
  with per-pixel object and part masks.
* ``signs``: generated traffic signs (43 classes, plate shape x glyph) with
  shape and glyph masks.
* ``digits`` / ``digits-parity``: scikit-learn's bundled digits.
* Users' folders: :func:`load_image_folder` and :func:`check_image_folder`.

Nothing here imports torch; :mod:`nesyasp.data.torch` holds the torch ``Dataset``.

Examples
--------
>>> from nesyasp.data import load_dataset
>>> s = load_dataset("scenes", classes=3, per_class=2, size=32)
>>> s.images.shape, s.class_names
((6, 32, 32, 3), ('bathroom', 'bedroom', 'kitchen'))
"""

from nesyasp.data.datasets import DATASETS, DatasetInfo, concept_images, load_dataset, random_images
from nesyasp.data.check import check_image_folder
from nesyasp.data.folder import load_image_folder
from nesyasp.data.imageset import ImageSet

__all__ = ["ImageSet", "DatasetInfo", "DATASETS", "load_dataset", "concept_images", "random_images",
           "load_image_folder", "check_image_folder"]
