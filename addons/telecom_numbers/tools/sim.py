"""Checks of SIM identifiers (plain Python, used per row by the SIM imports).

- ICCID (ITU-T E.118): 19 or 20 digits starting with 89 (telecom), the last one a Luhn
  check digit over the others.
- IMSI (ITU-T E.212): 15 digits, mobile country code first (US: 310 to 316).
- EID (GSMA SGP.02): 32 digits, starting with 89.
- SIM PIN: 4 to 8 digits; PUK: 8 digits.
"""

import re


def luhn_check_digit(digits):
    """The Luhn check digit of the string of digits ``digits``."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def iccid_error(iccid):
    """Why ``iccid`` is not a valid ICCID (a short English phrase), or None."""
    if not re.fullmatch(r"\d{19,20}", iccid or ""):
        return "an ICCID is 19 or 20 digits"
    if not iccid.startswith("89"):
        return "an ICCID starts with 89"
    if luhn_check_digit(iccid[:-1]) != iccid[-1]:
        return f"wrong check digit (expected {luhn_check_digit(iccid[:-1])})"
    return None


def imsi_error(imsi):
    if not re.fullmatch(r"\d{15}", imsi or ""):
        return "an IMSI is 15 digits"
    return None


def eid_error(eid):
    if not re.fullmatch(r"89\d{30}", eid or ""):
        return "an EID is 32 digits starting with 89"
    return None


def pin_error(pin, puk=False):
    pattern = r"\d{8}" if puk else r"\d{4,8}"
    if not re.fullmatch(pattern, pin or ""):
        return "a PUK is 8 digits" if puk else "a SIM PIN is 4 to 8 digits"
    return None
