"""Users for bench/load.py (locust, headless): readers, annotators, and the bare view.

Environment: LOAD_TOKENS (comma-separated API tokens, one per annotator), LOAD_ANNOTATORS (how
many), LOAD_ACK_FILE (where the ids of acknowledged annotations are appended), LOAD_SLUG.
"""

import itertools
import os
import threading

from locust import HttpUser, constant, constant_throughput, events, task

SLUG = os.environ.get("LOAD_SLUG", "budapest-convention")
TOKENS = itertools.cycle([t for t in os.environ.get("LOAD_TOKENS", "").split(",") if t])
ARTICLES = [str(n) for n in range(1, 13)]
TAGS = ["privacy", "procedural-safeguards", "surveillance-powers", "data-protection"]
_acknowledged: list[int] = []
_lock = threading.Lock()
_counter = itertools.count(1)


class Reader(HttpUser):
    """An anonymous visitor reading articles, the annotation list and the heatmap."""

    wait_time = constant(1)

    @task(6)
    def article_page(self) -> None:
        article = ARTICLES[next(_counter) % len(ARTICLES)]
        self.client.get(f"/treaties/{SLUG}/articles/{article}/", name="page: article")

    @task(2)
    def annotation_list(self) -> None:
        self.client.get(f"/api/v1/annotations/?treaty={SLUG}", name="api: annotation list")

    @task(1)
    def heatmap(self) -> None:
        self.client.get(f"/api/v1/treaties/{SLUG}/heatmap/", name="api: heatmap")

    @task(1)
    def treaty_page(self) -> None:
        self.client.get(f"/treaties/{SLUG}/", name="page: treaty")


class Annotator(HttpUser):
    """A logged-in NGO member posting one annotation a second."""

    # Exactly this many (the other users are readers); one POST a second each.
    fixed_count = int(os.environ.get("LOAD_ANNOTATORS", "20"))
    wait_time = constant_throughput(1)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {next(TOKENS)}"

    @task
    def annotate(self) -> None:
        n = next(_counter)
        body = {
            "treaty": SLUG,
            "provision": f"art-{ARTICLES[n % len(ARTICLES)]}",
            "tags": [TAGS[n % len(TAGS)]],
            "severity": 1 + n % 3,
            "position": "concern",
            "body": f"Load test placeholder comment {n} from {id(self)}.",
        }
        with self.client.post(
            "/api/v1/annotations/", json=body, name="api: annotation POST", catch_response=True
        ) as r:
            if r.status_code == 201:
                with _lock:
                    _acknowledged.append(int(r.json()["id"]))
            else:
                r.failure(f"{r.status_code}")


class BareView(HttpUser):
    """The ceiling: a Django view returning a constant, through the same server and middleware."""

    # bench/load.py names the classes of each phase on locust's command line.
    wait_time = constant(0)

    @task
    def bare(self) -> None:
        self.client.get("/bench/bare/", name="bare view")


class ArticlePageOnly(HttpUser):
    """Capacity of the anonymous article page, measured like the bare view's."""

    wait_time = constant(0)

    @task
    def article_page(self) -> None:
        self.client.get(f"/treaties/{SLUG}/articles/2/", name="page: article (capacity)")


@events.test_stop.add_listener
def _write_acknowledged(**_kwargs: object) -> None:
    path = os.environ.get("LOAD_ACK_FILE")
    if path:
        with _lock, open(path, "a") as out:
            out.writelines(f"{i}\n" for i in _acknowledged)
