"""A lenient, fast E.164 normaliser for numbers read from files (CDRs, legacy extracts).

``to_e164`` in ``models/telecom_number.py`` validates a number against the numbering plan
(phonenumbers) for the inventory; this one only normalises the notation, for rows by the
million where a number that does not parse is a reject, not an error.
"""

_SEPARATORS = str.maketrans("", "", " -().")


def normalize_e164(value):
    """Normalised E.164 form of a North American or international number, else None."""
    value = value.strip()
    if value.startswith("+"):
        digits = value[1:]
    else:
        digits = "".join(c for c in value if c.isdigit())
        if len(digits) != len(value.translate(_SEPARATORS)):
            return None
        if len(digits) == 10:
            digits = "1" + digits
        elif digits.startswith("011"):
            digits = digits[3:]
    return "+" + digits if digits.isdigit() else None
