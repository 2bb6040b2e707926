"""skinscan: benign/malignant triage of skin-lesion photos (not a diagnosis)."""

__version__ = "2.0.0"
