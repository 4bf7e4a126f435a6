"""The headings and numbering of the six UN languages (issue 16 §2), read from fixtures whose
sentences are placeholders: every language version gets the same provision keys."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from treaty.importers.detect import parse
from treaty.importers.markers import match_heading, match_number
from treaty.importers.numbering import chinese_number, cyrillic_letter_number
from treaty.importers.tree import Document, Node, TreatyFormatError, int_to_chinese
from treaty.models import DraftVersion, Provision

Kind = Provision.Kind
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "languages"
LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")
KEYS = [
    "pre", "pre.1", "pre.2", "ch-1", "art-1", "art-1.1", "art-1.2", "art-1.2.a", "art-1.2.b",
    "art-1.2.c", "art-2", "art-2.a", "art-2.b", "art-2.b.i", "art-2.b.ii", "art-2.c", "ch-2", "art-3",
    "art-3.1", "art-3.2", "final",
]  # fmt: skip


def _parse(language: str) -> Document:
    return parse((FIXTURES / f"{language}.txt").read_bytes())


def _by_key(document: Document) -> dict[str, Node]:
    return {node.key: node for node in document.walk()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_is_detected_and_gets_the_same_keys(language: str) -> None:
    document = _parse(language)
    assert document.language == language
    assert [node.key for node in document.walk()] == KEYS


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", ["Preamble", "Chapter I", "Article 1", "Article 1(2)(c)", "Article 2(b)(ii)", "Final clause"]),
        ("fr", ["Préambule", "Chapitre premier", "Article 1", "Article 1(2)(c)", "Article 2(b)(ii)", "Clause finale"]),  # noqa: E501
        ("es", ["Preámbulo", "Capítulo I", "Artículo 1", "Artículo 1(2)(c)", "Artículo 2(b)(ii)", "Cláusula final"]),  # noqa: E501
        ("ru", ["Преамбула", "Глава I", "Статья 1", "Статья 1(2)(в)", "Статья 2(б)(ii)", "Заключительная часть"]),  # noqa: E501
        ("zh", ["序言", "第一章", "第一条", "第一条(二)(三)", "第二条(㈡)(2)", "最后条款"]),
        ("ar", ["الديباجة", "الفصل الأول", "المادة 1", "المادة 1(2)(ج)", "المادة 2(ب)(2)", "الختام"]),
    ],
)  # fmt: skip
def test_labels_are_printed_in_the_language(language: str, labels: list[str]) -> None:
    nodes = _by_key(_parse(language))
    keys = ["pre", "ch-1", "art-1", "art-1.2.c", "art-2.b.ii", "final"]
    assert [nodes[key].label for key in keys] == labels


def test_french_article_premier_and_headings() -> None:
    nodes = _by_key(_parse("fr"))
    assert (nodes["art-1"].marker, nodes["art-1"].heading) == (
        "Article premier",
        "Intitulé fictif de l'article",
    )
    assert nodes["art-2"].heading == "Intitulé fictif de l'article"
    assert nodes["ch-1"].heading == "Intitulé fictif du chapitre"
    assert nodes["final"].text.startswith("EN FOI DE QUOI")
    assert nodes["art-2"].text == "Phrase d'introduction fictive :"


def test_russian_letters_are_keyed_by_position() -> None:
    nodes = _by_key(_parse("ru"))
    assert [nodes[f"art-1.2.{letter}"].marker for letter in "abc"] == ["а)", "б)", "в)"]
    assert [cyrillic_letter_number(letter) for letter in "абвгдежзиклм"] == list("abcdefghijkl")
    assert nodes["art-2.b.i"].text == "условный элемент один;"


def test_chinese_numerals_subparagraphs_and_items() -> None:
    nodes = _by_key(_parse("zh"))
    assert (nodes["art-1"].heading, nodes["art-1.1"].marker, nodes["art-1.1"].text) == (
        "示例条标题",
        "一、",
        "示例句子一。",
    )
    assert [nodes[f"art-1.2.{x}"].marker for x in "abc"] == ["(一)", "(二)", "(三)"]
    assert [nodes[f"art-2.{x}"].marker for x in "abc"] == ["㈠", "㈡", "㈢"]
    assert [nodes[f"art-2.b.{x}"].marker for x in ("i", "ii")] == ["1．", "2．"]
    assert nodes["art-2"].heading == "示例条标题"  # on the line after 第二条
    assert [chinese_number(n) for n in ("十", "十二", "二十", "九十九", "一百零二", "一百一十五")] == [
        10, 12, 20, 99, 102, 115,
    ]  # fmt: skip
    assert [int_to_chinese(n) for n in (10, 12, 20, 102, 115)] == [
        "十",
        "十二",
        "二十",
        "一百零二",
        "一百一十五",
    ]


@pytest.mark.parametrize(
    ("line", "kind", "number"),
    [
        ("Article premier", Kind.ARTICLE, "1"),
        ("ARTICLE 12 – Intitulé", Kind.ARTICLE, "12"),
        ("Artículo 7. Título", Kind.ARTICLE, "7"),
        ("Статья 7", Kind.ARTICLE, "7"),
        ("第十七条　标题", Kind.ARTICLE, "17"),
        ("CHAPITRE III", Kind.CHAPTER, "3"),
        ("Capítulo II – Título", Kind.CHAPTER, "2"),
        ("Глава IV", Kind.CHAPTER, "4"),
        ("第三章　标题", Kind.CHAPTER, "3"),
        ("Section 2", Kind.SECTION, "2"),
        ("Titre 1", Kind.TITLE, "1"),
        ("Annexe", Kind.ANNEX, ""),
        ("附件", Kind.ANNEX, ""),
    ],
)
def test_heading_lines(line: str, kind: str, number: str) -> None:
    heading = match_heading(line)
    assert heading is not None and (heading.kind, heading.number) == (kind, number)


def test_references_inside_sentences_are_not_headings() -> None:
    assert match_heading("第七条所述的罪行") is None
    assert match_heading("Статья 7 настоящей") is None
    assert match_number("一百个") is None


def test_a_mixed_script_heading_is_refused_with_its_line() -> None:
    # "Стaтья" with a Latin "a" (U+0061) among Cyrillic letters: it would read as body text.
    source = "Условный заголовок\n\nСтатья 1\n\n1. Условный текст.\n\nСтaтья 2\n\n1. Условный текст.\n"
    with pytest.raises(TreatyFormatError) as caught:
        parse(source)
    assert caught.value.line == 7
    assert "'Стaтья' mixes Cyrillic letters with others ('a' is Latin (U+0061))" in str(caught.value)


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(TreatyFormatError) as caught:
        parse((FIXTURES / "fr.txt").read_bytes(), language="xx")
    assert "unknown language 'xx': the importer reads ar, en, es, fr, ru, zh" in str(caught.value)


def test_a_bcp47_tag_of_a_un_language_is_kept() -> None:
    assert parse((FIXTURES / "zh.txt").read_bytes(), language="zh-hans").language == "zh-Hans"


# --- The command: siblings keep the same keys --------------------------------------------------


def _import(language: str, *extra: str, path: Path | None = None) -> None:
    call_command(
        "import_treaty",
        str(path or FIXTURES / f"{language}.txt"),
        "--slug",
        "sample",
        "--version",
        "L.1",
        *extra,
    )


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_language() -> None:
    with pytest.raises(CommandError, match=r"unknown language 'klingon'.*nothing was imported"):
        _import("fr", "--language", "klingon")
    assert not DraftVersion.objects.exists()


@pytest.mark.django_db
def test_all_languages_import_as_siblings() -> None:
    for language in LANGUAGES:
        _import(language)
    versions = DraftVersion.objects.filter(treaty__slug="sample", label="L.1")
    assert sorted(versions.values_list("language", flat=True)) == sorted(LANGUAGES)
    for version in versions:
        assert list(version.provisions.values_list("key", flat=True)) == KEYS
        assert version.key_mismatch == {}


@pytest.mark.django_db
def test_a_language_with_different_keys_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    _import("en")
    french = (FIXTURES / "fr.txt").read_text(encoding="utf-8").replace("2. Phrase fictive deux.\n", "")
    path = tmp_path / "fr.txt"
    path.write_text(french, encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        _import("fr", path=path)
    assert str(caught.value) == (
        "the provision keys of this fr text differ from the en text of 'L.1': missing: art-3.2"
        " (pass --allow-key-mismatch to import it anyway and record the difference); nothing was imported"
    )
    assert list(DraftVersion.objects.values_list("language", flat=True)) == ["en"]
    assert Provision.objects.count() == len(KEYS)


@pytest.mark.django_db
def test_allow_key_mismatch_records_the_difference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import("en")
    spanish = (
        (FIXTURES / "es.txt")
        .read_text(encoding="utf-8")
        .replace("2. Oración ficticia dos.\n", "2. Oración ficticia dos.\n\n3. Oración ficticia tres.\n")
    )
    path = tmp_path / "es.txt"
    path.write_text(spanish, encoding="utf-8")
    _import("es", "--allow-key-mismatch", path=path)
    version = DraftVersion.objects.get(language="es")
    assert version.key_mismatch == {"against": "en", "missing": [], "extra": ["art-3.3"]}
    assert (
        "Provision keys differ from the en text (recorded): missing none; extra art-3.3."
        in capsys.readouterr().out
    )
