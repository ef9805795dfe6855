"""HubSpot's error bodies, one builder per kind, so every failure the fake sends looks like the real one.

Ordinary errors carry `status: "error"`, `message`, `correlationId` and `category`; rate-limit 429s
use `errorType`/`policyName`/`groupName` instead of `category`; gateway errors from the edge are
HTML, not JSON.
"""

from __future__ import annotations

import uuid
from typing import Any

PORTAL_ID = 146223567
APP_ID = 3141592

SCOPE_LINKS = {"scopes": "https://developers.hubspot.com/scopes"}


def correlation_id() -> str:
    return str(uuid.uuid4())


def error_body(message: str, category: str, cid: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"status": "error", "message": message, "correlationId": cid, "category": category}
    body.update(extra)
    return body


def invalid_authentication(cid: str) -> dict[str, Any]:
    return error_body(
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find "
        "more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        "INVALID_AUTHENTICATION",
        cid,
    )


def missing_scopes(scope: str, cid: str) -> dict[str, Any]:
    return error_body(
        "This app hasn't been granted all required scopes to make this call. Read more about required "
        "scopes here: https://developers.hubspot.com/scopes.",
        "MISSING_SCOPES",
        cid,
        errors=[
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": [scope]},
            }
        ],
        links=SCOPE_LINKS,
    )


def rate_limited(policy: str, cid: str) -> dict[str, Any]:
    """429 body; `policy` is TEN_SECONDLY_ROLLING, SECONDLY or DAILY."""
    groups = {
        "TEN_SECONDLY_ROLLING": f"publicapi:private_app-api-calls-ten-secondly:{APP_ID}:{PORTAL_ID}",
        "SECONDLY": f"publicapi:search-api-calls-secondly:{PORTAL_ID}",
        "DAILY": f"publicapi:private_app-api-calls-daily:{PORTAL_ID}",
    }
    return {
        "status": "error",
        "message": f"You have reached your {policy.lower()} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": cid,
        "policyName": policy,
        "groupName": groups.get(policy, groups["TEN_SECONDLY_ROLLING"]),
    }


def server_error(status: int, cid: str) -> dict[str, Any]:
    categories = {500: "INTERNAL_ERROR", 502: "BAD_GATEWAY", 503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT"}
    message = "internal error" if status == 500 else f"The service is temporarily unavailable ({status})."
    return error_body(message, categories.get(status, "INTERNAL_ERROR"), cid)


def gateway_html(status: int) -> str:
    """What an edge proxy sends for 502/504 and friends: an HTML page, not JSON."""
    titles = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}
    title = f"{status} {titles.get(status, 'Bad Gateway')}"
    return (
        "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n"
        "<center><h1>" + title + "</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
        "</body>\r\n</html>\r\n"
    )
