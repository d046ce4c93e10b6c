"""SIM identifiers for the tests: valid ICCIDs (Luhn check digit) and IMSIs."""

from odoo.addons.telecom_numbers.tools.sim import luhn_check_digit


def iccid(serial, prefix="890126099"):
    """A valid 19-digit ICCID with ``serial`` in it."""
    body = f"{prefix}{serial:09d}"
    return body + luhn_check_digit(body)


def imsi(serial):
    return f"310260{serial:09d}"


def make_sims(env, count, start=1, kind="physical", **values):
    """``count`` SIMs in stock created one by one through the ORM."""
    vals_list = []
    for serial in range(start, start + count):
        vals = {"name": iccid(serial), "imsi": imsi(serial), "kind": kind, "pin1": "1234",
                "puk1": "12345678"}  # fmt: skip
        if kind == "esim":
            vals.update(smdp_address="smdp.example.com", matching_id=f"MATCH-{serial:06d}")
        vals.update(values)
        vals_list.append(vals)
    return env["telecom.sim"].create(vals_list)
