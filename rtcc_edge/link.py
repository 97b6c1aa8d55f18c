"""The box's calls to the RTCC server (always outbound): enroll, heartbeat, wait for commands, answer them."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from rtcc_edge.credential import Enrollment

USER_AGENT = "rtcc-edge/0.1"


class LinkError(Exception):
    """The server could not be reached (status None) or answered with an error status."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def worth_retrying(self) -> bool:
        # The network, the server's own trouble, or "slow down"; a 4xx answer will not change.
        return self.status is None or self.status >= 500 or self.status in (401, 408, 429)


class CredentialRefused(LinkError):
    """401: the box's credential is unknown or revoked; enrolling again is the cure."""


class EnrollmentRefused(Exception):
    """The server said no to the enrollment code; the message is its reason."""


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail", "")
    except ValueError:
        detail = response.text
    return str(detail)[:300] or response.reason_phrase


def enroll(server: str, code: str, *, box_name: str, cameras: list[dict],
           verify: bool = True, timeout: float = 30) -> Enrollment:
    """Trade a one-time code for this box's own credential."""
    server = server.rstrip("/")
    try:
        response = httpx.post(f"{server}/api/edge/enroll", timeout=timeout, verify=verify,
                              headers={"User-Agent": USER_AGENT},
                              json={"code": code.strip(), "box_name": box_name, "cameras": cameras})
    except httpx.HTTPError as exc:
        raise EnrollmentRefused(f"cannot reach {server}: {exc}") from None
    if response.status_code not in (200, 201):
        raise EnrollmentRefused(f"the server refused the code ({response.status_code}): {_detail(response)}")
    body = response.json()
    return Enrollment(server=server, box_id=str(body["box_id"]), credential=str(body["credential"]),
                      enrolled_at=datetime.now(UTC).isoformat())


class ServerLink:
    """Authenticated calls for an enrolled box over one shared httpx client."""

    def __init__(self, enrollment: Enrollment, client: httpx.AsyncClient) -> None:
        self.enrollment = enrollment
        self.client = client
        self.base = enrollment.server.rstrip("/")

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.enrollment.credential}", "User-Agent": USER_AGENT}

    async def _call(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            response = await self.client.request(method, f"{self.base}{path}", headers=self.auth, **kwargs)
        except httpx.HTTPError as exc:
            raise LinkError(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        if response.status_code == 401:
            raise CredentialRefused(f"the server refused this box's credential: {_detail(response)}", 401)
        if response.status_code >= 400:
            raise LinkError(f"{method} {path}: {response.status_code} {_detail(response)}",
                            response.status_code)
        return response

    async def heartbeat(self, report: dict) -> None:
        await self._call("POST", "/api/edge/heartbeat", json=report)

    async def commands(self, wait: int) -> list[dict]:
        """Long-poll: returns as soon as work is queued, else an empty list after ``wait`` s."""
        response = await self._call("GET", "/api/edge/commands", params={"wait": wait},
                                    timeout=httpx.Timeout(wait + 15, connect=10))
        commands = response.json().get("commands", [])
        return [c for c in commands if isinstance(c, dict)]

    async def result(self, command_id: str, state: str, *, reason: str = "",
                     sha256: str | None = None, size: int | None = None) -> None:
        body: dict = {"state": state, "reason": reason}
        if sha256 is not None:
            body["sha256"] = sha256
        if size is not None:
            body["bytes"] = size
        await self._call("POST", f"/api/edge/commands/{command_id}/result", json=body)
