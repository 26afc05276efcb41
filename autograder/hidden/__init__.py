"""Hidden tests, one module per assignment: ``test_<assignment>.py``. Never shipped to students."""
