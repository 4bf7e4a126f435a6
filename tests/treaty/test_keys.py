from tests.factories import small_document


def test_keys_follow_the_contract() -> None:
    keys = [node.key for node in small_document().walk()]
    assert keys == [
        "pre",
        "pre.1",
        "ch-1",
        "art-1",
        "ch-2",
        "art-2",
        "art-2.1",
        "art-2.2",
        "art-2.2.a",
        "art-2.2.b",
        "art-2.2.b.i",
        "art-2.2.b.ii",
        "art-2.2.b~1",
        "art-3",
        "final",
    ]


def test_labels_are_printed_labels() -> None:
    labels = {node.key: node.label for node in small_document().walk()}
    assert labels["art-2.2.b.ii"] == "Article 2(2)(b)(ii)"
    assert labels["art-2.2.b~1"] == "Article 2(2)(b)"
    assert labels["ch-2"] == "Chapter II"
    assert labels["final"] == "Final clause"
