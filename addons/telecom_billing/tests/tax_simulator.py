"""A small external tax engine speaking the REST protocol of adapters/rest.py.

Started by the tests on 127.0.0.1 (port 0) in a thread. It charges federal USF at 10 % of
every line and a 911 fee of 0.50 per voice line, answers 503 while ``down`` is set and 400
for a line without state, and waits ``delay`` seconds before answering (an engine that hangs).
"""

import time
from decimal import Decimal

from odoo.addons.telecom_numbers.tests.loopback import JsonHandler, LoopbackServer


class TaxSimulator(LoopbackServer):
    def __init__(self):
        self.down = False
        self.delay = 0
        self.requests = []
        simulator = self

        class Handler(JsonHandler):
            def do_GET(self):
                if simulator.down:
                    return self._answer(503, {"error": "maintenance"})
                return self._answer(200, {"status": "ok"})

            def do_POST(self):
                payload = self._read_json()
                simulator.requests.append(
                    {"payload": payload, "auth": self.headers.get("Authorization")}
                )
                if simulator.delay:
                    time.sleep(simulator.delay)
                if simulator.down:
                    return self._answer(503, {"error": "maintenance"})
                if self.path != "/v1/tax/calculate":
                    return self._answer(404, {"error": "unknown path"})
                taxes = []
                for line in payload["lines"]:
                    if not line["address"]["state"]:
                        return self._answer(400, {"error": f"line {line['ref']}: no state"})
                    amount = Decimal(line["amount"])
                    usf = (amount * Decimal("0.10")).quantize(Decimal("0.01"))
                    if usf:
                        taxes.append(
                            {
                                "kind": "federal_usf",
                                "name": "Federal USF",
                                "amount": str(usf),
                                "jurisdiction": "US",
                                "ref": line["ref"],
                                "code": "FUSF",
                            }
                        )
                    if line["lines"]:
                        taxes.append(
                            {
                                "kind": "e911",
                                "name": "911 Service Fee",
                                "amount": str(Decimal("0.50") * line["lines"]),
                                "jurisdiction": line["address"]["state"],
                                "ref": line["ref"],
                                "code": "E911",
                            }
                        )
                return self._answer(200, {"taxes": taxes})

        super().__init__(Handler)
