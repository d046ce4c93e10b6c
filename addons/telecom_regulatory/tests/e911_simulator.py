"""A 911 location provider on 127.0.0.1 for the tests (real HTTP, no mocks)."""

from odoo.addons.telecom_numbers.tests.loopback import JsonHandler, LoopbackServer


class E911Simulator(LoopbackServer):
    """Validates addresses (refuses ZIP 00000), registers locations, records the calls; ``fail``
    makes the next call answer HTTP 503."""

    def __init__(self):
        self.calls = []
        self.locations = {}
        self.fail = False
        simulator = self

        class Handler(JsonHandler):
            def _handle(self):
                payload = self._read_json()
                simulator.calls.append((self.command, self.path, payload))
                if self.headers.get("X-Api-Key") != "t-key":
                    return self._answer(401, {"code": "auth", "message": "bad key"})
                if simulator.fail:
                    simulator.fail = False
                    return self._answer(503, {"message": "maintenance"})
                if self.path == "/validate":
                    valid = payload.get("zip") != "00000"
                    return self._answer(
                        200, {"valid": valid, "message": "" if valid else "Address not in MSAG"}
                    )
                if self.path.startswith("/locations/") and self.command == "DELETE":
                    tn = self.path.rsplit("/", 1)[1]
                    if tn not in simulator.locations:
                        return self._answer(404, {"code": "unknown", "message": "no location"})
                    del simulator.locations[tn]
                    return self._answer(200, {"removed": tn})
                if self.path.startswith("/locations/"):
                    tn = self.path.rsplit("/", 1)[1]
                    simulator.locations[tn] = payload
                    return self._answer(200, {"id": f"LOC-{tn[-4:]}"})
                return self._answer(404, {"message": "not found"})

            do_POST = _handle
            do_PUT = _handle
            do_DELETE = _handle

        super().__init__(Handler)
