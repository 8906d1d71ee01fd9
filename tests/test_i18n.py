"""The interface in the seller's language: English by default, Russian from the catalog.

The catalog (src/povtor/locale/ru/LC_MESSAGES/povtor.po) must translate every text the
code marks (``_()``, ``N_()``, ``ngettext()``), with the same placeholders and the three
Russian forms of a count; the compiled ``.mo`` must be the ``.po``'s.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from support import Cli, where

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "src/povtor/locale/ru/LC_MESSAGES/povtor.po"


def _compiler() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compile_catalog", ROOT / "scripts/compile_catalog.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["compile_catalog"] = module
    spec.loader.exec_module(module)
    return module


catalog = _compiler()
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def _entries() -> list:  # type: ignore[type-arg]
    return [e for e in catalog.parse_po(PO.read_text(encoding="utf-8")) if e.msgid]


# -- the catalog ------------------------------------------------------------------------
def test_every_marked_text_has_a_russian_translation_and_no_other() -> None:
    marked = {**catalog.extract(), **catalog.help_texts()}
    assert len(marked) > 400  # the plan, the errors, the listings' headers, help at least
    entries = {(e.msgid, e.msgid_plural): e for e in _entries()}
    missing = [f"{where}: {key[0]!r}" for key, where in marked.items() if key not in entries]
    stale = [key[0] for key in entries if key not in marked]
    assert not missing, "untranslated (scripts/compile_catalog.py --missing):\n" + "\n".join(
        missing
    )
    assert not stale, f"in the catalog, no longer in the code: {stale}"


def test_no_entry_is_fuzzy_empty_or_doubled() -> None:
    entries = _entries()
    assert not [e.msgid for e in entries if e.fuzzy]
    assert not [e.msgid for e in entries if not all(e.msgstr.values())]
    ids = [(e.msgid, e.msgid_plural) for e in entries]
    assert len(ids) == len(set(ids))


def test_plurals_have_the_three_russian_forms_and_translations_keep_the_placeholders() -> None:
    for entry in _entries():
        if entry.msgid_plural is not None:
            assert sorted(entry.msgstr) == [0, 1, 2], entry.msgid
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr.values():
            assert set(PLACEHOLDER.findall(text)) == wanted, (entry.msgid, text)


def test_the_compiled_catalog_is_the_po_file() -> None:
    compiled = catalog.compile_mo(catalog.parse_po(PO.read_text(encoding="utf-8")))
    assert PO.with_suffix(".mo").read_bytes() == compiled, (
        "run: .venv/bin/python scripts/compile_catalog.py"
    )


def test_no_function_hides_the_translating_underscore() -> None:
    """``for _ in ...`` or ``x, _ = ...`` in a function that also calls ``_()`` would call
    the loop's value: a crash only a Russian run (or an error) would show."""
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    own = (*scopes, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
    found = []
    for path in (ROOT / "src/povtor").rglob("*.py"):
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, scopes):
                continue
            stores = calls = False
            stack = list(ast.iter_child_nodes(function))
            while stack:
                node = stack.pop()
                if isinstance(node, own):
                    continue
                if isinstance(node, ast.Name) and node.id == "_":
                    stores |= isinstance(node.ctx, ast.Store)
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    calls |= node.func.id == "_"
                stack.extend(ast.iter_child_nodes(node))
            if stores and calls:
                found.append(f"{path.relative_to(ROOT)}:{function.lineno}")
    assert not found


# -- counting forms -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "russian", "english"),
    [
        (1, "1 день назад", "1 day ago"),
        (2, "2 дня назад", "2 days ago"),
        (4, "4 дня назад", "4 days ago"),
        (5, "5 дней назад", "5 days ago"),
        (11, "11 дней назад", "11 days ago"),
        (12, "12 дней назад", "12 days ago"),
        (21, "21 день назад", "21 days ago"),
        (22, "22 дня назад", "22 days ago"),
        (111, "111 дней назад", "111 days ago"),
    ],
)
def test_counts_take_the_form_of_their_number(n: int, russian: str, english: str) -> None:
    from povtor import i18n

    try:
        i18n.set_language("ru")
        assert i18n.ngettext("{n} day ago", "{n} days ago", n).format(n=n) == russian
        i18n.set_language("en")
        assert i18n.ngettext("{n} day ago", "{n} days ago", n).format(n=n) == english
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize(
    ("environ", "stored", "language"),
    [
        ({}, None, "en"),
        ({"LANG": "C.UTF-8"}, None, "en"),
        ({"LANG": "ru_RU.UTF-8"}, None, "ru"),
        ({"LANG": "en_US.UTF-8", "LC_ALL": "ru_RU.UTF-8"}, None, "ru"),
        ({"LANGUAGE": "ru:en", "LANG": "en_US.UTF-8"}, None, "ru"),
        ({"LANG": "ru_RU.UTF-8"}, "en", "en"),
        ({"LANG": "C.UTF-8"}, "ru", "ru"),
        ({"POVTOR_LANG": "en"}, "ru", "en"),
        ({"POVTOR_LANG": "RU", "LANG": "en_US.UTF-8"}, "en", "ru"),
        ({"POVTOR_LANG": "de", "LANG": "ru_RU.UTF-8"}, None, "ru"),
    ],
)
def test_which_language_a_run_speaks(
    environ: dict[str, str], stored: str | None, language: str
) -> None:
    from povtor import i18n

    assert i18n.choose_language(stored, environ) == language


# -- from the seller's side -------------------------------------------------------------
def _stuck_invoice(cli: Cli) -> None:
    cli.add_client("Иван Петров", "--company", "ООО Ромашка", "--category", "A")
    cli.ok(
        "deal", "open", "Иван Петров", "--amount", "1465618,20", "--stage", "invoice",
        "--title", "Щебень", env={"POVTOR_TODAY": "2026-02-20T10:00"},
    )  # fmt: skip


def test_english_is_the_default(cli: Cli) -> None:
    _stuck_invoice(cli)
    run = cli.ok("plan", "today", "--format", "table")
    assert "Plan of nudges for 2026-03-02" in run.stdout
    assert "5 working days in stage (limit 3), no touch since" in run.stdout
    assert "1 465 618.20" in run.stdout


def test_the_lang_setting_turns_the_plan_russian(cli: Cli) -> None:
    _stuck_invoice(cli)
    cli.ok("plan", "set", "lang", "ru")
    run = cli.ok("plan", "today", "--format", "table")
    assert "План буравчиков на 2026-03-02" in run.stdout
    assert (
        "почему: Счёт отправлен: 5 рабочих дней на этапе (лимит 3), касаний с тех пор не было"
        in (" ".join(run.stdout.split()))
    )
    assert "сделка №1 repeat/invoice · 1 465 618,20 · закрывающее" in run.stdout
    assert "why:" not in run.stdout
    # the machine formats keep their keys and codes: a script reads them in any language
    data = cli.ok("plan", "today", "--format", "csv").stdout
    assert data.startswith("rank,client,category,deal_id,stage,amount,kind,reason,")
    assert ",1465618.20,closing," in data
    headers = cli.ok("client", "list", "--format", "table").stdout
    assert "Клиент" in headers and "Компания" in headers and "Client" not in headers
    cli.ok("plan", "set", "lang", "en")
    assert "Plan of nudges" in cli.ok("plan", "today", "--format", "table").stdout


def test_a_russian_locale_or_povtor_lang_without_a_setting(cli: Cli) -> None:
    _stuck_invoice(cli)
    run = cli.ok("plan", "today", "--format", "table", env={"LANG": "ru_RU.UTF-8"})
    assert "План буравчиков" in run.stdout
    run = cli.ok("plan", "today", "--format", "table", env={"POVTOR_LANG": "ru"})
    assert "План буравчиков" in run.stdout
    cli.ok("plan", "set", "lang", "en")
    run = cli.ok("plan", "today", "--format", "table", env={"LANG": "ru_RU.UTF-8"})
    assert "Plan of nudges" in run.stdout  # the setting wins over the locale


def test_errors_in_russian(cli: Cli, dump) -> None:  # type: ignore[no-untyped-def]
    cli.add_client("Иван Петров")
    cli.ok("plan", "set", "lang", "ru")
    before = dump()
    run = cli("client", "show", "Нет Такого")
    assert (run.exit_code, run.stdout) == (3, "")
    assert run.stderr == (
        "ошибка: клиент не найден: 'Нет Такого'; найти клиентов: povtor client find ТЕКСТ\n"
    )
    run = cli("deal", "open", "1", "--amount", "12.345")
    assert run.exit_code == 2
    assert run.stderr == (
        "ошибка: --amount: '12.345' — больше двух знаков после запятой; "
        "округлите до копеек, например 12,50\n"
    )
    run = cli("nudge", "log", "--client", "1", "--purpose", "card", "--about", "neds")
    assert run.exit_code == 2
    assert run.stderr.startswith(
        "ошибка: --about: 'neds' — не вопрос карточки (может быть, needs?); "
        "используйте один из: needs, "
    )
    run = cli("plan", "explain", "5")
    assert run.exit_code == 3
    assert run.stderr.startswith("ошибка: в плане на 2026-03-02 нет пункта 5: в нём ")
    assert dump() == before


def test_money_in_a_russian_interface() -> None:
    from povtor import i18n
    from povtor.parsing import format_amount, format_money

    try:
        assert format_amount(146561820, "RUB") == "1 465 618.20 RUB"
        i18n.set_language("ru")
        assert format_amount(146561820, "RUB") == "1 465 618,20 ₽"
        assert format_amount(120050, "usd") == "1 200,50 USD"
        assert format_money(146561820) == "1465618.20"  # machine formats: never localised
    finally:
        i18n.set_language("en")


def test_help_in_russian(cli: Cli) -> None:
    cli.ok("plan", "set", "lang", "ru")
    run = cli.ok("plan", "today", "--help")
    assert run.stdout.startswith("Использование: povtor plan today [OPTIONS]\n")
    assert "План буравчиков на сегодня: с кем связаться, почему" in run.stdout
    assert "Параметры:\n" in run.stdout
    assert "Только клиенты этой категории." in run.stdout
    assert "Показать эту справку и выйти." in run.stdout
    root = cli.ok("--help", env={"POVTOR_LANG": "en"}).stdout  # the variable wins
    assert root.startswith("Usage: povtor [OPTIONS] COMMAND [ARGS]...\n")
    assert "  plan     The plan of nudges: who to contact today and why.\n" in root
    # the same process speaks English again when the setting goes
    cli.ok("plan", "set", "lang", "en")
    assert "Only clients of this category." in cli.ok("plan", "today", "--help").stdout


# -- the screens translated with the team, the cards, the checks and click's errors ------
def test_the_team_in_russian(cli: Cli, dump) -> None:  # type: ignore[no-untyped-def]
    cli.add_client("Иван Петров", "--company", "ООО Ромашка")
    cli.ok("plan", "set", "lang", "ru")
    assert cli.ok("seller", "add", "Анна").stderr == "добавлен продавец №1 Анна\n"
    cli.ok("seller", "add", "Олег")
    assert cli.ok("seller", "use", "Анна").stderr == "работаете как Анна\n"
    run = cli.ok("client", "assign", "1", "--to", "Анна")
    assert run.stderr == "клиент №1 Иван Петров теперь у продавца Анна\n"
    run = cli.ok("client", "assign", "1", "--to", "Анна")
    assert run.stderr == "клиент №1 Иван Петров уже у продавца Анна\n"
    cli.ok("seller", "use", "Олег")
    before = dump()
    run = cli("seller", "remove", "Анна")
    assert run.exit_code != 0
    assert run.stderr == (
        "ошибка: за продавцом 'Анна' ещё числится: 1 клиент; "
        "сначала передайте их: povtor client assign КЛИЕНТ --to ИМЯ\n"
    )
    run = cli("client", "assign", "1", "--to", "Олег")
    assert run.stderr == (
        "ошибка: клиент №1 Иван Петров — у продавца Анна; "
        "передать может Анна, или заберите с --force\n"
    )
    assert dump() == before
    table = cli.ok("seller", "list", "--format", "table").stdout
    assert "Продавцы" in table and "Открытые сделки" in table and "Текущий" in table
    assert cli.ok("seller", "use").stderr == "работаете ни от чьего имени\n"


def test_cards_titles_and_db_check_in_russian(cli: Cli) -> None:
    _stuck_invoice(cli)
    cli.ok("plan", "set", "lang", "ru")
    card = cli.ok("client", "show", "1", "--format", "table").stdout
    assert "Клиент с" in card and "Client since" not in card
    assert "0 из 15 фактов для разговора (норма A) — ещё 15" in card
    assert "Факты для разговора (0)" in card
    deal = cli.ok("deal", "show", "1", "--format", "table").stdout
    assert "Сделка №1" in deal and "На этапе с" in deal and "In stage since" not in deal
    assert "Сделки (открытые)" in cli.ok("deal", "list", "--format", "table").stdout
    nudges = cli.ok("stats", "nudges", "--format", "table").stdout
    assert "Буравчики, 2026-03-01 – 2026-03-02 (на 2026-03-02)" in nudges
    check = cli.ok("db", "check", "--format", "table").stdout
    assert "(самая новая)" in check
    if where(cli.db) == str(cli.db):  # the pages of a SQLite file (a server checks its own)
        assert "все страницы и индексы целы" in check


def test_a_touch_and_an_import_confirmed_in_russian(cli: Cli, tmp_path: Path) -> None:
    _stuck_invoice(cli)
    cli.ok("plan", "set", "lang", "ru")
    run = cli.ok("nudge", "log", "--deal", "1", "--outcome", "no_answer")
    assert run.stderr == "записано касание (закрывающее) №1 с Иван Петров: без ответа\n"
    good = tmp_path / "good.csv"
    good.write_text("name,company\nПётр Сидоров,ООО Лютик\n", encoding="utf-8")
    run = cli.ok("import", "clients", str(good))
    assert run.stderr == "загружен good.csv; clients: создано: 1\n"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,company\n,ООО Пусто\n", encoding="utf-8")
    run = cli("import", "clients", str(bad))
    assert run.exit_code != 0
    assert run.stderr.splitlines()[0] == "bad.csv:2: name: пусто"


def test_what_an_answer_did_is_said_in_the_run_s_language(cli: Cli) -> None:
    """The effects a touch reports (a deal lost, a service problem kept or resolved)
    are words of the run's language, and an outcome reads as a word, not a code."""
    _stuck_invoice(cli)
    run = cli.ok("nudge", "log", "--deal", "1", "--outcome", "no-answer")
    assert run.stderr == "logged closing touch #1 with Иван Петров: no answer\n"
    run = cli.ok("nudge", "log", "--deal", "1", "--outcome", "no", "--reason", "дорого")
    assert run.stderr == (
        "logged closing touch #2 with Иван Петров: no; lost deal #1 (invoice) with the "
        "reason «дорого»\n"
    )
    cli.ok("plan", "set", "lang", "ru")
    cli.ok("deal", "open", "Иван Петров", "--stage", "invoice", "--title", "Песок")
    run = cli.ok("nudge", "log", "--deal", "2", "--outcome", "no", "--reason", "дорого")
    assert run.stderr == (
        "записано касание (закрывающее) №3 с Иван Петров: нет; проиграна сделка №2 (invoice) "
        "с причиной «дорого»\n"
    )
    run = cli.ok("nudge", "log", "--client", "1", "--answer", "problem", "--reason", "не тот песок")
    assert run.stderr.splitlines()[-1] == (
        "проблема остаётся в плане (и поднимает приоритет клиента), пока сервисное касание не "
        "ответит ok: povtor nudge log --client 1 --answer ok"
    )
    next_day = {"POVTOR_TODAY": "2026-03-03"}
    run = cli.ok("nudge", "log", "--client", "1", "--answer", "ok", env=next_day)
    assert run.stderr.splitlines()[-1] == "проблема от 2026-03-02 («не тот песок») решена"
    cli.add_client("Сергей Лис", "--category", "A")
    cli.ok("deal", "open", "Сергей Лис", "--stage", "invoice", env={"POVTOR_TODAY": "2026-02-20"})
    run = cli("plan", "run", input="a\n", env={"POVTOR_TODAY": "2026-03-04"})
    assert "  записано касание №6: без ответа" in run.stdout.splitlines()


def test_click_usage_errors_in_russian(cli: Cli) -> None:
    cli.ok("plan", "set", "lang", "ru")
    run = cli("client", "list", "--categry", "A")
    assert run.exit_code == 2
    assert run.stderr == (
        "ошибка: нет такого параметра: --categry (возможно: --category); "
        "см.: povtor client list --help\n"
    )
    run = cli("client", "show")
    assert run.stderr == "ошибка: не хватает аргумента 'CLIENT'; см.: povtor client show --help\n"
    run = cli("client", "show", "1", "2")
    assert run.stderr == "ошибка: лишние аргументы (2); см.: povtor client show --help\n"
    cli.ok("plan", "set", "lang", "en")
    run = cli("client", "list", "--categry", "A")
    assert run.stderr == (
        "error: No such option: --categry (Possible options: --category); "
        "see: povtor client list --help\n"
    )


def test_an_import_refused_the_demo_and_an_undo_in_russian(cli: Cli, tmp_path: Path) -> None:
    cli.ok("plan", "set", "lang", "ru")
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "client,funnel,stage,title,amount,status,opened_on,closed_on\n"
        "Иван Петров,first,paid,Щебень,1000,won,2026-02-10,2026-02-01\n",
        encoding="utf-8",
    )
    problems = tmp_path / "problems.csv"
    run = cli("import", "deals", str(deals), "--problems", str(problems))
    assert run.exit_code == 2
    assert run.stderr.splitlines()[0] == (
        "deals.csv:2: closed_on: '2026-02-01' раньше открытия сделки (2026-02-10): "
        "сделка не может закрыться раньше, чем открылась"
    )
    # the file's columns stay English (a program reads them); the problem is Russian
    assert problems.read_text(encoding="utf-8").splitlines() == [
        "file,line,column,value,problem",
        "deals.csv,2,closed_on,2026-02-01,\"'2026-02-01' раньше открытия сделки (2026-02-10): "
        'сделка не может закрыться раньше, чем открылась"',
    ]

    demo = tmp_path / "demo.db"
    run = cli.ok("demo", str(demo), env={"POVTOR_LANG": "ru"})
    assert run.stderr.splitlines()[0] == (
        f"демо-база собрана в {demo}: 49 клиентов, 82 человека, 281 факт, 285 сделок, "
        "1203 смены этапов, 1913 касаний, 10 товаров, 197 товаров в сделках, "
        "4 памятные даты, 121 касание-подарок, 13 шагов клиентов, 11 материалов для прогрева"
    )

    cli.add_client("Иван Петров")
    cli.ok("deal", "open", "Иван Петров", "--amount", "100", "--stage", "invoice")
    cli.ok("nudge", "log", "--deal", "1", "--outcome", "yes", "--text", "Счёт оплачен")
    run = cli.ok("nudge", "undo", "--yes")
    assert run.stderr.splitlines() == [
        "отменено касание №1 от 2026-03-02: закрывающее, канал other, клиент №1 Иван Петров, "
        "сделка №1, итог да «Счёт оплачен»",
        "  сделка №1 — как до касания: этап paid → invoice, выиграна → открыта",
        "  из истории этапов сделки №1 уходит win (invoice → paid) от 2026-03-02",
    ]
    changes = cli.ok("db", "changes", "--format", "csv").stdout
    assert "закрывающее да от 2026-03-02; сделка №1 возвращена" in changes


def test_a_server_error_in_russian(cli: Cli) -> None:
    """The errors of the server path speak the seller's language too: nothing is left to
    the server's English but libpq's own reason."""
    pytest.importorskip("psycopg")
    url = "postgresql://x@127.0.0.1:1/db"  # (nothing listens on port 1)
    run = cli("--db", url, "client", "list", env={"POVTOR_LANG": "ru"})
    assert (run.exit_code, run.stdout) == (6, "")
    assert run.stderr.startswith(f"ошибка: не удалось подключиться к {url}: ")
    assert run.stderr.rstrip().endswith(
        "; проверьте, что сервер запущен, и пользователя, хост, порт и базу в адресе "
        "(--db или POVTOR_DB)"
    )
