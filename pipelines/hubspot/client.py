"""A thin, safe wrapper around the official `hubspot-api-client`.

Why a wrapper: the client has no default timeout, parses into model objects ~18x slower than raw
JSON, retries neither POST nor dropped connections, and returns an all-None model for a truncated
body. Every call here goes through `_call`, which sets a timeout, reads raw JSON
(`_preload_content=False`), retries transient faults and turns the rest into errors a person can
act on. The access token is handed to the client once and never appears in a message.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import urllib3
from hubspot import HubSpot
from hubspot.crm.associations.v4.exceptions import ApiException as AssociationsApiException
from hubspot.crm.objects.exceptions import ApiException as ObjectsApiException
from hubspot.crm.owners.exceptions import ApiException as OwnersApiException
from hubspot.crm.pipelines.exceptions import ApiException as PipelinesApiException
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter
from urllib3.util.retry import Retry

from pipelines.errors import HubSpotAuthError, HubSpotScopeError, HubSpotUnavailableError, NotHubSpotError
from pipelines.hubspot.rate_limits import RateLimiters

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.hubapi.com"
LIST_PAGE_SIZE = 100  # HubSpot's maximum for list endpoints
HISTORY_PAGE_SIZE = 50  # maximum when propertiesWithHistory is requested
SEARCH_PAGE_SIZE = 200  # maximum for CRM search
BATCH_SIZE = 100  # maximum inputs of a batch read
# Inputs of a v4 batch association read: HubSpot's documented cap since February 2025 (developer
# changelog, "Batch Read Limit for HubSpot Associations API"); larger bodies are refused.
ASSOCIATION_BATCH_SIZE = 1_000
SEARCH_RESULT_CAP = 10_000  # search refuses to page past this offset
TRANSIENT_STATUSES = (429, 500, 502, 503, 504)
PRIMARY_COMPANY_TYPE_ID = 5  # the v4 association type of a deal's Primary company

CompanyLink = tuple[str, str, bool]  # (record id, company id, is primary), one per association type


class TransientError(Exception):
    """A fault worth retrying: 429, 5xx, a timeout, a truncated body, a dropped connection."""

    def __init__(self, message: str, retry_after: float | None = None, rate_limited: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.rate_limited = rate_limited


RETRY_AFTER_MAX = 60.0  # a hostile Retry-After is capped (HubSpot sends seconds; urllib3 would allow 6 h)
RATE_LIMITED_MIN_WAIT = 1.0  # a 429 without Retry-After: give HubSpot's window time to roll


def _wait_for(backoff_seconds: float):
    """Tenacity wait: HubSpot's Retry-After when it sends one, else exponential backoff with jitter."""
    exponential = wait_exponential_jitter(multiplier=backoff_seconds, max=30, jitter=backoff_seconds)

    def wait(retry_state: Any) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, TransientError) and exc.retry_after is not None:
            return min(exc.retry_after, RETRY_AFTER_MAX)
        if isinstance(exc, TransientError) and exc.rate_limited:
            return max(RATE_LIMITED_MIN_WAIT * retry_state.attempt_number, exponential(retry_state))
        return exponential(retry_state)

    return wait


class HubSpotClient:
    """Raw-JSON access to the endpoints salesmetrics reads.

    Args:
        access_token: a private-app token (or OAuth access token).
        base_url: `https://api.hubapi.com`, or any server speaking HubSpot's wire format.
        timeout: (connect, read) seconds for every request.
        attempts: how many times a transient fault is tried in total, on top of urllib3's retries.
    """

    def __init__(
        self,
        access_token: str,
        base_url: str | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
        attempts: int = 8,
        backoff_seconds: float = 0.5,
        limiters: RateLimiters | None = None,
    ):
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        # Retries and failures are ours to report (one clear line); urllib3's own WARNINGs are noise.
        logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)  # the client resets "urllib3"
        self.timeout = timeout
        self.requests = Counter()  # endpoint -> calls made (retries included)
        self.limiters = limiters or RateLimiters()
        self._lock = threading.Lock()
        # Every retry goes through `_call` (and so through the rate limiters), never inside urllib3:
        # urllib3 may only retry a refused connection once, so an unreachable host fails in seconds.
        retry = Retry(total=1, connect=1, read=0, status=0, other=0, redirect=0, backoff_factor=backoff_seconds)
        client = HubSpot(access_token=access_token, host=self.base_url, retry=retry)
        self._token = access_token
        self._http = urllib3.PoolManager(retries=retry, timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]))
        # Each attribute access builds a new ApiClient and connection pool: take each one once.
        self._objects = client.crm.objects.basic_api
        self._search = client.crm.objects.search_api
        self._batch = client.crm.objects.batch_api
        self._associations = client.crm.associations.v4.batch_api
        self._owners = client.crm.owners.owners_api
        self._pipelines = client.crm.pipelines.pipelines_api
        self._retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(attempts),
            wait=_wait_for(backoff_seconds),
            reraise=True,
        )

    @property
    def request_count(self) -> int:
        return sum(self.requests.values())

    def requests_for(self, object_type: str) -> int:
        """Requests spent on one object type: endpoint names end with it (`search deals`), or with
        an association from it (`batch read associations deals->companies`)."""
        with self._lock:
            return sum(
                n
                for endpoint, n in self.requests.items()
                if endpoint.split(" ")[-1] == object_type or endpoint.endswith(f" {object_type}->companies")
            )

    # -- one call ---------------------------------------------------------------------------

    def _call(
        self, endpoint: str, scope: str, fn: Callable[..., Any], *args: Any, _expect: type = dict, **kwargs: Any
    ) -> Any:
        """Call one endpoint and return its decoded JSON body, retrying transient faults."""
        if _expect is dict:
            kwargs.update(_preload_content=False, _request_timeout=self.timeout)

        search = endpoint.startswith("search")

        def attempt() -> Any:
            self.limiters.acquire(search=search)
            with self._lock:
                self.requests[endpoint] += 1
            try:
                response = fn(*args, **kwargs)
                body = response.data
            except urllib3.exceptions.MaxRetryError as exc:
                reason = exc.reason
                if isinstance(reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.NameResolutionError)):
                    raise HubSpotUnavailableError(
                        f"Cannot reach HubSpot at {self.base_url} ({type(reason).__name__}). "
                        "Check HUBSPOT_BASE_URL and your network connection."
                    ) from None
                raise TransientError(f"{endpoint}: {type(reason).__name__}") from None
            except (urllib3.exceptions.ProtocolError, urllib3.exceptions.TimeoutError) as exc:
                raise TransientError(f"{endpoint}: {type(exc).__name__}") from None
            except API_EXCEPTIONS as exc:
                if exc.status is None:
                    raise
                raise self._api_error(endpoint, scope, exc.status, exc.body, exc.headers) from None
            try:
                page = json.loads(body)
            except ValueError:
                if _is_html(body, response.headers):  # a proxy, a login or intranet page: nothing to wait out
                    raise self._not_hubspot(endpoint, 200, body, response.headers) from None
                raise TransientError(f"{endpoint}: truncated or invalid JSON body ({len(body)} bytes)") from None
            # A page without its `results` list is never valid: treating it as an empty last page
            # would silently end the listing early. Complete JSON of another shape is another API.
            valid = (
                isinstance(page, list)
                if _expect is list
                else (isinstance(page, dict) and isinstance(page.get("results"), list))
            )
            if not valid:
                raise self._not_hubspot(endpoint, 200, body, response.headers)
            return page

        try:
            return self._retrying(attempt)
        except TransientError as exc:
            raise HubSpotUnavailableError(
                f"HubSpot kept failing after {self._retrying.stop.max_attempt_number} attempts: {exc}. "
                "It may be down or rate limiting this app; try again later."
            ) from None

    def _not_hubspot(self, endpoint: str, status: int, body: Any, headers: Any = None) -> NotHubSpotError:
        kind = ((headers or {}).get("Content-Type") or "no content type").split(";")[0]
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
        shown = " ".join(text.split())[:80]
        return NotHubSpotError(
            f"HUBSPOT_BASE_URL {self.base_url} is not HubSpot's API: {endpoint} answered HTTP {status} {kind} "
            f"{shown!r}. Set HUBSPOT_BASE_URL to https://api.hubapi.com or a server speaking its wire format."
        )

    def _api_error(self, endpoint: str, scope: str, status: int, body: Any, headers: Any = None) -> Exception:
        detail = _error_detail(body)
        if status not in (401, 403, *TRANSIENT_STATUSES, 477) and _is_html(body, headers):
            return self._not_hubspot(endpoint, status, body, headers)
        if status == 401:
            return HubSpotAuthError(
                f"HubSpot rejected the access token (401{': ' + detail['message'] if detail.get('message') else ''}). "
                "Set HUBSPOT_ACCESS_TOKEN to a valid private-app token."
            )
        if status == 403:
            scopes = detail.get("scopes") or [scope]
            return HubSpotScopeError(
                f"HubSpot refused {endpoint} (403 {detail.get('category', 'FORBIDDEN')}): the token lacks the scope "
                f"{', '.join(scopes)}. Add it to the private app and use the new token."
            )
        if status in TRANSIENT_STATUSES or status == 477:  # 477: HubSpot's "migration in progress"
            return TransientError(
                f"{endpoint}: HTTP {status} {detail.get('message') or ''}".strip(),
                _retry_after(headers),
                rate_limited=status == 429,
            )
        return HubSpotUnavailableError(
            f"HubSpot answered {endpoint} with HTTP {status}: {detail.get('message', body)!s:.300}"
        )

    # -- endpoints --------------------------------------------------------------------------

    def list_pages(
        self,
        object_type: str,
        properties: list[str],
        scope: str,
        archived: bool = False,
        history: tuple[str, ...] = (),
        associations: tuple[str, ...] = (),
    ) -> Iterator[list[dict[str, Any]]]:
        """Every record of an object type, a page at a time, ordered by id."""
        limit = HISTORY_PAGE_SIZE if history else LIST_PAGE_SIZE
        after = None
        while True:
            kwargs: dict[str, Any] = {"limit": limit, "properties": properties, "archived": archived}
            if after:
                kwargs["after"] = after
            if history:
                kwargs["properties_with_history"] = list(history)
            if associations:
                kwargs["associations"] = list(associations)
            page = self._call(f"list {object_type}", scope, self._objects.get_page, object_type, **kwargs)
            yield page["results"]
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    def search_modified(
        self,
        object_type: str,
        properties: list[str],
        scope: str,
        cursor_property: str,
        since_ms: int,
        until_ms: int | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Records with since_ms <= `cursor_property` (< until_ms), a page at a time, ordered by id.

        Search refuses to page past 10,000 results, so the query is sorted by `hs_object_id` and
        restarted with an id floor (the last id read) whenever the offset nears the cap. `GTE` on
        the timestamp (never GT on the last value seen) keeps records that share a timestamp.
        """
        id_floor = 0
        while True:
            after = 0
            last_id = None
            while True:
                filters = [
                    {"propertyName": cursor_property, "operator": "GTE", "value": str(since_ms)},
                    {"propertyName": "hs_object_id", "operator": "GT", "value": str(id_floor)},
                ]
                if until_ms is not None:
                    filters.append({"propertyName": cursor_property, "operator": "LT", "value": str(until_ms)})
                body = {
                    "filterGroups": [{"filters": filters}],
                    "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                    "properties": properties,
                    "limit": SEARCH_PAGE_SIZE,
                    "after": str(after),
                }
                page = self._call(f"search {object_type}", scope, self._search.do_search, object_type, body)
                results = page["results"]
                if results:
                    yield results
                    last_id = int(results[-1]["id"])
                nxt = ((page.get("paging") or {}).get("next") or {}).get("after")
                if not nxt:
                    return
                after = int(nxt)
                if after + SEARCH_PAGE_SIZE > SEARCH_RESULT_CAP:
                    break  # move the id floor instead of paging into the cap
            if last_id is None:
                return
            id_floor = last_id

    def search_page(
        self,
        object_type: str,
        properties: list[str],
        scope: str,
        filters: list[dict[str, str]],
        limit: int = SEARCH_PAGE_SIZE,
        descending: bool = False,
    ) -> dict[str, Any]:
        """One search page (`after=0`) sorted by `hs_object_id`: `results` and the matches' `total`.
        Callers move an id floor in `filters` instead of paging, so no query nears the 10,000 cap."""
        body = {
            "filterGroups": [{"filters": filters}] if filters else [],
            "sorts": [{"propertyName": "hs_object_id", "direction": "DESCENDING" if descending else "ASCENDING"}],
            "properties": properties,
            "limit": limit,
            "after": "0",
        }
        return self._call(f"search {object_type}", scope, self._search.do_search, object_type, body)

    def batch_read(
        self,
        object_type: str,
        ids: list[str],
        properties: list[str],
        scope: str,
        history: tuple[str, ...] = (),
        archived: bool = False,
    ) -> list[dict[str, Any]]:
        """Records by id, up to 100 per request (archived ones with `archived`); ids HubSpot no
        longer has (or that are not in that state) are simply absent."""
        records: list[dict[str, Any]] = []
        for start in range(0, len(ids), BATCH_SIZE):
            body = {
                "inputs": [{"id": i} for i in ids[start : start + BATCH_SIZE]],
                "properties": properties,
                "propertiesWithHistory": list(history),
            }
            page = self._call(
                f"batch read {object_type}", scope, self._batch.read, object_type, body, archived=archived
            )
            records.extend(page["results"])
        return records

    def company_links(self, object_type: str, ids: list[str], scope: str) -> list[CompanyLink]:
        """The companies associated with records, from the v4 associations batch API, up to
        `ASSOCIATION_BATCH_SIZE` ids per request; a company may be listed more than once."""
        links: list[CompanyLink] = []
        for start in range(0, len(ids), ASSOCIATION_BATCH_SIZE):
            body = {"inputs": [{"id": i} for i in ids[start : start + ASSOCIATION_BATCH_SIZE]]}
            page = self._call(
                f"batch read associations {object_type}->companies",
                scope,
                self._associations.get_page,
                object_type,
                "companies",
                body,
            )
            for result in page["results"]:
                for to in result.get("to") or []:
                    primary = any(t.get("typeId") == PRIMARY_COMPANY_TYPE_ID for t in to.get("associationTypes") or [])
                    links.append((str(result["from"]["id"]), str(to["toObjectId"]), primary))
        return links

    def owners(self, archived: bool) -> list[dict[str, Any]]:
        owners: list[dict[str, Any]] = []
        after = None
        while True:
            kwargs: dict[str, Any] = {"limit": 500, "archived": archived}
            if after:
                kwargs["after"] = after
            page = self._call("list owners", "crm.objects.owners.read", self._owners.get_page, **kwargs)
            owners.extend(page["results"])
            after = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return owners

    def call_dispositions(self) -> list[dict[str, Any]] | None:
        """Call outcomes (GUID, label) from the legacy `/calling/v1/dispositions` endpoint, which the
        generated client does not cover; None when the portal does not have the endpoint (404)."""
        url = f"{self.base_url}/calling/v1/dispositions"
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}

        def get() -> Any:
            response = self._http.request("GET", url, headers=headers)
            if not 200 <= response.status <= 299:
                raise HttpStatusError(response.status, response.data, response.headers)
            return response

        try:
            return self._call("list call_dispositions", "crm.objects.calls.read", get, _expect=list)
        except HubSpotUnavailableError as exc:
            if "HTTP 404" in str(exc):
                return None
            raise

    def deal_pipelines(self) -> list[dict[str, Any]]:
        page = self._call("list deal pipelines", "crm.objects.deals.read", self._pipelines.get_all, "deals")
        return page["results"]


class HttpStatusError(Exception):
    """A non-2xx answer of an endpoint read without the generated client (same fields as its ApiException)."""

    def __init__(self, status: int, body: bytes, headers: Any):
        super().__init__(f"HTTP {status}")
        self.status, self.body, self.headers = status, body, headers


# The generated client raises a separate ApiException class per API package (no common base).
API_EXCEPTIONS = (
    ObjectsApiException,
    AssociationsApiException,
    OwnersApiException,
    PipelinesApiException,
    HttpStatusError,
)


def _is_html(body: Any, headers: Any) -> bool:
    kind = (headers.get("Content-Type") or "") if headers is not None else ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    return "html" in kind.lower() or text.lstrip()[:1] == "<"


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def _error_detail(body: Any) -> dict[str, Any]:
    """HubSpot's error JSON -> message, category and any required scopes named in it."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    try:
        data = json.loads(body) if body else {}
    except (TypeError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    scopes: list[str] = []
    for error in data.get("errors") or []:
        context = error.get("context") or {}
        scopes.extend(context.get("requiredGranularScopes") or context.get("requiredScopes") or [])
    return {"message": data.get("message"), "category": data.get("category"), "scopes": scopes}
