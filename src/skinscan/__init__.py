"""skinscan: benign/malignant triage of skin-lesion photos (not a diagnosis)."""

__version__ = "3.1.0"
