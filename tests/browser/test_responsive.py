"""Phone-first layout (issue 19): every demo role, after ``seed_demo --midyear``, visits
every main page of its own (its navigation links, and the detail pages reachable from them:
a tender, a contract, a proposal, an organization, the public portal, the survey) on a
390 × 844 phone, a 768 × 1024 tablet and a 1366 × 900 desktop. A page fails when it scrolls
sideways (``scrollWidth > clientWidth``) or when something the user needs is off-screen:
the menu button, the notification count, the page's h1, a form's buttons. Below 900 px the
menu button opens the navigation, and the role switch is reachable in it.

One live server, the demo data seeded once, one browser context per role (the login is made
once and its cookies reused); each page is loaded once and probed at the three sizes by
resizing the viewport (the layout follows the width: ``width=device-width``, media queries
only). Every problem of every page is collected, so one run names them all."""

from __future__ import annotations

import pytest

from caidan.demo.data import ACCOUNTS, DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [(390, 844), (768, 1024), (1366, 900)]
# Who opens the shared pages (public lists, the processes' detail pages): a visitor, an
# officer, a bidder, an expert, a resident. Every role opens its own pages.
SHARED_VIEWERS = {"purchaser", "provider", "expert", "resident"}
MENU_BELOW = 900  # px: below this the navigation folds behind the menu button

# One evaluate() per page: the overflow, and where each needed element sits.
PROBE = """(menuBelow) => {
  const de = document.documentElement, W = de.clientWidth, H = window.innerHeight;
  const out = [];
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden";
  };
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.dataset.testid) s += "[data-testid=" + el.dataset.testid + "]";
    else if (el.className && typeof el.className === "string") s += "." + el.className.trim().split(/\\s+/).join(".");
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 30);
    return text ? s + " “" + text + "”" : s;
  };
  const inside = (el, what, vertical) => {
    if (!el) { out.push(what + " missing"); return; }
    if (!shown(el)) { out.push(what + " hidden: " + name(el)); return; }
    const r = el.getBoundingClientRect();
    if (r.left < -1 || r.right > W + 1) out.push(what + " off-screen (x " + Math.round(r.left) + "…" + Math.round(r.right) + " of " + W + "): " + name(el));
    else if (vertical && (r.top < -1 || r.bottom > H + 1)) out.push(what + " below the fold (y " + Math.round(r.top) + "…" + Math.round(r.bottom) + "): " + name(el));
  };
  if (de.scrollWidth > W) {
    // The deepest elements that reach past the right edge: the ones to fix.
    const wide = [...document.body.querySelectorAll("*")].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > W + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > W + 1);
    });
    out.push("scrolls sideways: " + de.scrollWidth + " px wide on a " + W + " px screen, past the edge: " + wide.slice(0, 4).map(name).join(" | "));
  }
  const authenticated = !!document.querySelector("[data-testid=notify-count]") || !!document.querySelector("form[action$='/logout/']");
  if (W < menuBelow) inside(document.querySelector("[data-menu-toggle]"), "menu button", true);
  else inside(document.querySelector(".topbar nav a"), "navigation", true);
  if (authenticated) {
    const count = W < menuBelow ? document.querySelector("[data-testid=notify-count]") : document.querySelector(".topbar nav a[href$='/notifications/']");
    inside(count, "notification count", true);
  }
  // A table squeezed so narrow that a title wraps one character per line.
  const squeezed = [...document.querySelectorAll("main td, main th")].filter((c) => {
    if (!shown(c) || c.innerText.trim().length < 4) return false;
    const st = getComputedStyle(c);
    const inner = c.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    return inner < 2.5 * parseFloat(st.fontSize);
  });
  if (squeezed.length) out.push("table cells squeezed to a character per line: " + squeezed.slice(0, 3).map(name).join(" | "));
  const h1 = document.querySelector("main h1");
  if (h1) inside(h1, "h1", false); else out.push("no h1 in main");
  document.querySelectorAll("main button, main .button, main input[type=submit]").forEach((b) => {
    if (shown(b) && !b.closest("[hidden], details:not([open])")) inside(b, "button", false);
  });
  return out;
}"""


def _details() -> dict[str, object]:
    """The mid-year records whose pages are visited."""
    from caidan.contracts.models import Contract, Report
    from caidan.demo.midyear import TITLES, waiting_experts
    from caidan.disclosure.models import Notice
    from caidan.evaluations.models import Evaluation, Survey
    from caidan.procurement.models import Bid, Tender
    from caidan.projects.models import Proposal, ReviewSession

    evaluating = Tender.objects.get(title=TITLES["evaluating"])
    awarded = Tender.objects.get(title=TITLES["awarded"])
    contract = Contract.objects.get(tender__title=TITLES["performing"])
    return {
        "evaluating": evaluating,
        "awarded": awarded,
        "contract": contract,
        "proposal": Proposal.objects.get(title=TITLES["review"]),
        "winner": awarded.awards.get().bid.organization_id,
        "notice": Notice.objects.filter(status="published").order_by("id").first(),
        "survey": Survey.objects.order_by("id").first(),
        "session": ReviewSession.objects.filter(status="open").order_by("id").first(),
        "report": Report.objects.filter(contract=contract).order_by("id").first(),
        "lost_bid": Bid.objects.filter(tender=awarded, organization__name__startswith="阳光")
        .order_by("id")
        .first(),
        "evaluation": Evaluation.objects.filter(contract__tender__title=TITLES["midterm"])
        .order_by("id")
        .first(),
        "seated_expert": waiting_experts()[0],
    }


def _shared_pages(public_nav: list[str], d: dict) -> list[str]:
    """Pages everyone can open: the public navigation, the processes' public detail pages
    (tenders, award notice, contract, winning organization), the portal, the survey and the
    statistics."""
    pages = list(public_nav)
    pages += [
        f"/procurement/tenders/{d['evaluating'].pk}/",
        f"/procurement/tenders/{d['awarded'].pk}/",
        f"/procurement/tenders/{d['awarded'].pk}/notice/",
        f"/contracts/{d['contract'].pk}/",
        f"/orgs/{d['winner']}/",
        "/open/search/?q=养老",
        "/open/notices/",
        f"/evaluations/s/{d['survey'].slug}/",
        "/stats/",
        "/stats/gaps/",
    ]
    if d["notice"]:
        pages.append(f"/open/notices/{d['notice'].pk}/")
    return pages


def _own_pages(username: str, nav: list[str], public_nav: list[str], d: dict) -> list[str]:
    """A role's own pages: its dashboard (工作台), its calendar and the navigation links only
    logged-in users have, then the pages of its waiting steps."""
    pages = ["/dashboard/", "/calendar/me/", *[p for p in nav if p not in public_nav]]
    contract, evaluating, awarded = d["contract"], d["evaluating"], d["awarded"]
    if username == "committee":
        pages += [
            "/projects/sessions/",
            f"/projects/sessions/{d['session'].pk}/",
            f"/projects/proposals/{d['proposal'].pk}/",
        ]
    if username == d["seated_expert"]:
        pages.append(f"/procurement/tenders/{evaluating.pk}/review/")
    if username == "purchaser":
        pages += [
            "/contracts/todo/",
            f"/contracts/{contract.pk}/reports/",
            f"/contracts/{contract.pk}/reports/{d['report'].pk}/",
            f"/procurement/tenders/{evaluating.pk}/panel/",
            f"/procurement/tenders/{awarded.pk}/award/",
            f"/evaluations/contracts/{contract.pk}/",
            "/projects/proposals/",
            f"/projects/proposals/{d['proposal'].pk}/",
            "/enquiries/inbox/",
        ]
    if username == "provider":
        pages += ["/contracts/todo/", f"/procurement/bids/{d['lost_bid'].pk}/"]
    if username == "evaluator" and d["evaluation"]:
        pages.append(f"/evaluations/{d['evaluation'].pk}/")
    seen: set[str] = set()
    return [p for p in pages if not (p in seen or seen.add(p))]


def _check_menu(page, width: int) -> list[str]:
    """Below 900 px: the menu button opens the navigation (aria-expanded), every link and
    the role switch then inside the screen; Escape closes it again."""
    if width >= MENU_BELOW:
        return []
    problems = []
    button = page.locator("[data-menu-toggle]")
    nav = page.locator(".topbar nav")
    if nav.is_visible():
        problems.append("navigation shown before the menu button is pressed")
    button.click()
    if button.get_attribute("aria-expanded") != "true":
        problems.append("menu button: aria-expanded is not true once opened")
    links = nav.locator("a")
    for i in range(links.count()):
        box = links.nth(i).bounding_box()
        if not box or box["x"] < 0 or box["x"] + box["width"] > width + 1:
            problems.append(f"menu link off-screen: {links.nth(i).inner_text()} {box}")
    role = page.locator("select[name=membership_id], [data-testid=active-role]")
    if role.count():
        box = role.first.bounding_box()
        if not box or box["x"] + box["width"] > width + 1:
            problems.append(f"role switch off-screen once the menu is open: {box}")
    page.keyboard.press("Escape")
    if nav.is_visible():
        problems.append("Escape does not close the menu")
    return problems


def _login(browser, base: str, username: str) -> tuple[dict, list[str]]:
    """Log in once: the cookies to reuse, and the role's navigation links."""
    ctx = browser.new_context(locale="zh-CN")
    page = ctx.new_page()
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/dashboard/")
    nav = page.eval_on_selector_all(".topbar nav a", NAV_HREFS)
    state = ctx.storage_state()
    ctx.close()
    return state, nav


NAV_HREFS = "els => els.map(a => a.getAttribute('href'))"


def scan(browser, base: str, usernames=None, sizes=SIZES) -> tuple[list[str], int]:
    """Visit the pages of each account (and of a visitor not logged in), probing each page
    at every size (the viewport is resized, the page not reloaded): the problems found, and
    how many pages were loaded."""
    d = _details()
    visitor = browser.new_context(locale="zh-CN")
    home = visitor.new_page()
    home.goto(base + "/")
    public_nav = home.eval_on_selector_all(".topbar nav a", NAV_HREFS)
    visitor.close()
    shared = _shared_pages(public_nav, d)
    viewers = [a.username for a in ACCOUNTS] + [d["seated_expert"], "visitor"]
    problems: list[str] = []
    loads = 0
    for username in viewers:
        if usernames and username not in usernames:
            continue
        if username == "visitor":
            state, pages = None, [*shared, "/login/"]
        else:
            state, nav = _login(browser, base, username)
            pages = _own_pages(username, nav, public_nav, d)
            if username in SHARED_VIEWERS:
                pages += [p for p in shared if p not in pages]
        width, height = sizes[0]
        ctx = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": height}, storage_state=state
        )
        page = ctx.new_page()
        page.set_default_timeout(15000)
        order = list(sizes)
        for i, path in enumerate(pages):
            response = page.goto(base + path, wait_until="domcontentloaded")
            loads += 1
            if response.status >= 400:
                problems.append(f"{username} {path}: HTTP {response.status}")
                continue
            for w, h in order:
                if (w, h) != (width, height):
                    page.set_viewport_size({"width": w, "height": h})
                    width, height = w, h
                found = page.evaluate(PROBE, MENU_BELOW)
                if i == 0:
                    found += _check_menu(page, w)
                problems += [f"{username} {w}×{h} {path}: {p}" for p in found]
            order.reverse()  # the next page starts at the size this one ended with
        ctx.close()
    return problems, loads


def test_every_page_of_every_role_fits_phone_tablet_and_desktop(browser, live_server, world):
    from django.core.management import call_command

    call_command("seed_demo", "--midyear", verbosity=0)
    problems, loads = scan(browser, live_server.url)
    assert not problems, f"{len(problems)} layout problems on {loads} pages:\n" + "\n".join(
        problems
    )


def test_the_probe_names_what_overflows_and_what_is_hidden(browser, live_server, world):
    """The probe itself: a too-wide element and a hidden menu button are reported, by name."""
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(live_server.url + "/")
    assert page.evaluate(PROBE, MENU_BELOW) == []
    page.evaluate(
        """() => {
        const wide = document.createElement("div");
        wide.dataset.testid = "too-wide";
        wide.style.width = "600px";
        wide.textContent = "宽";
        document.querySelector("main").append(wide);
        document.querySelector("[data-menu-toggle]").style.display = "none";
    }"""
    )
    found = page.evaluate(PROBE, MENU_BELOW)
    ctx.close()
    assert any("scrolls sideways" in p and "too-wide" in p for p in found), found
    assert any(p.startswith("menu button hidden") for p in found), found


def test_without_javascript_the_menu_stays_open(browser, live_server, world):
    """No script, no menu button: nojs.css shows the navigation, which still fits."""
    ctx = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = ctx.new_page()
    page.goto(live_server.url + "/")
    assert not page.locator("[data-menu-toggle]").is_visible()
    assert page.get_by_role("navigation").get_by_role("link", name="政府采购").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    ctx.close()
    assert width <= 390, f"the page without JavaScript is {width} px wide"
