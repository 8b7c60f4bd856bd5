"""Reading a Prometheus scrape in tests: every sample by name and labels."""

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-token-for-tests"


def parse_scrape(text):
    """{(sample name, frozenset of label pairs): value}."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(samples, name, **labels):
    """The sample's value; 0 when the series does not exist yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def moved(before, after, name, **labels):
    """How much a sample grew between two scrapes."""
    return sample(after, name, **labels) - sample(before, name, **labels)
