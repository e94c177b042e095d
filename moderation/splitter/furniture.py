"""Generic page furniture: the short lines sites wrap around an article and its comments.

Everything here is written generically (no line of any evaluation page): comment-section
headers and counts, sign-in prompts, user handles, relative and absolute times, Reply / Report /
Share / vote lines, "load more" links, bylines and datelines, share bars, and community-rules
blocks assembled from rules phrased in our own words. `pages.py` mixes these with real text.
"""

from __future__ import annotations

import random

_FIRST = ["john", "mary", "dave", "sue", "mike", "linda", "paul", "karen", "steve", "anne",
          "rob", "jen", "tom", "lisa", "bill", "kate", "gary", "nancy", "joe", "beth", "raj",
          "wei", "omar", "ana", "luis", "fatima", "ken", "diane", "carl", "rita"]
_LAST = ["smith", "brown", "lee", "walker", "nguyen", "patel", "garcia", "miller", "jones",
         "clark", "king", "wright", "lopez", "hill", "scott", "green", "adams", "baker"]
_WORDS = ["truth", "patriot", "eagle", "oldtimer", "voter", "reader", "northern", "citizen",
          "taxpayer", "realist", "skeptic", "canuck", "bluesky", "river", "maple", "mountain",
          "ghost", "thinker", "farmer", "gramps", "lefty", "righty", "commonsense", "ranger"]


def handle(rng: random.Random) -> str:
    """A plausible commenter display name."""
    first, last, word = rng.choice(_FIRST), rng.choice(_LAST), rng.choice(_WORDS)
    style = rng.randrange(8)
    if style == 0:
        return f"{first.title()} {last.title()}"
    if style == 1:
        return f"{first}{last}{rng.randrange(1, 99)}"
    if style == 2:
        return f"{word.title()}{rng.choice(['', '_', '-'])}{rng.randrange(1, 2024)}"
    if style == 3:
        return f"{first.title()} {last[0].upper()}."
    if style == 4:
        return f"{word}{rng.choice(_WORDS)}"
    if style == 5:
        return f"{first.title()}{last.title()}"
    if style == 6:
        return f"{rng.choice(['The', 'Just', 'Old', 'Mr', 'Ms'])}{word.title()}"
    return f"{first}_{word}"


_MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
           "Nov.", "Dec.", "January", "February", "August", "September", "October", "November",
           "December"]


def date(rng: random.Random) -> str:
    day, year = rng.randrange(1, 29), rng.randrange(2004, 2025)
    month = rng.choice(_MONTHS)
    style = rng.randrange(4)
    if style == 0:
        return f"{month} {day}, {year}"
    if style == 1:
        return f"{day} {month.rstrip('.')} {year}"
    if style == 2:
        return f"{rng.randrange(1, 13)}/{day}/{year}"
    return f"{year}-{rng.randrange(1, 13):02d}-{day:02d}"


def clock(rng: random.Random) -> str:
    minute = rng.randrange(60)
    if rng.random() < 0.5:
        suffix = rng.choice(["a.m.", "p.m.", "AM", "PM", "pm"])
        return f"{rng.randrange(1, 13)}:{minute:02d} {suffix}"
    return f"{rng.randrange(24):02d}:{minute:02d}"


def when(rng: random.Random) -> str:
    """A comment timestamp: relative ("3 hours ago") or absolute."""
    n = rng.randrange(1, 60)
    style = rng.randrange(6)
    if style <= 1:
        unit = rng.choice(["minute", "hour", "day", "week", "month", "year"])
        return f"{n} {unit}{'s' if n > 1 else ''} ago"
    if style == 2:
        return f"{n}{rng.choice(['m', 'h', 'd', 'w'])}"
    if style == 3:
        return f"{date(rng)} {clock(rng)}"
    if style == 4:
        return f"{rng.choice(['Yesterday', 'Today', 'Monday', 'Friday'])} at {clock(rng)}"
    return f"{date(rng)} at {clock(rng)}"


def votes(rng: random.Random, value: int | None = None) -> str:
    n = value if value is not None else rng.randrange(0, 120)
    return rng.choice([
        f"{n}", f"{n} likes", f"Like ({n})", f"▲ {n} ▼", f"+{n}", f"{n} Likes",
        f"{n} people liked this", f"Upvote {n}", f"{n} 👍", f"Recommend {n}", f"{n} points",
    ])


ACTIONS = ["Reply", "Report", "Share", "Like", "Flag", "Report abuse", "Reply · Report",
           "Like · Reply", "Share this comment", "Permalink", "Flag as inappropriate",
           "Report comment", "Reply Report", "Edit", "Delete", "Quote"]


def comment_count_header(rng: random.Random, n: int) -> str:
    if rng.random() < 0.3:  # counts often disagree with what a scrape kept
        n = rng.randrange(0, 200)
    return rng.choice([
        f"({n}) comments", f"{n} Comments", f"Comments ({n})", "Comments", f"{n} comments",
        "Join the conversation", "Discussion", "Show comments", "Reader comments",
        "Leave a comment", f"Conversation {n} Comments", f"{n} Responses", "COMMENTS",
        f"View {n} comments", f"{n} thoughts on this story", "What readers are saying",
        f"Comments: {n}", "Leave a Reply", "Add your comment", f"({n}) Comments",
        f"{n} comment{'s' if n != 1 else ''}", f"Comments ({n})", f"{n} COMMENTS",
        f"Discussion ({n})", f"{n} Reader Comments", "Most Popular Comments", "Comment",
        f"Show Comments ({n})", f"Read {n} comments", "Reader Comments", "Talk about it",
        f"({n}) comments", f"{n} replies", "Your comments", "Readers respond",
    ])


def sign_in_prompt(rng: random.Random) -> str:
    return rng.choice([
        "Sign in to comment", "Log in to comment", "You must be logged in to post a comment.",
        "Sort by Newest | Oldest | Best", "Newest first", "Post a comment", "Add a comment...",
        "Please log in or register to comment.", "Sign in or register to join the discussion",
        "Sort by", "Oldest", "Most liked", "Subscribers can comment", "Log In", "Sign Up",
        "Your email address will not be published. Required fields are marked *",
        "Commenting is now closed.", "Write a comment…", "Submit", "Post Comment",
        "Notify me of new comments via email.", "Name *", "Email *", "Website",
        "All comments are subject to moderation.", "Comment Guidelines",
    ])


def load_more(rng: random.Random) -> str:
    n = rng.randrange(1, 40)
    return rng.choice([
        "Load more comments", f"View {n} replies", "Show more replies", "Hide replies",
        f"{n} replies", "Show more", "Read more", f"See all {n} comments", "Continue thread",
        "Previous", "Next", f"Page {n}", "View all comments",
    ])


# Posting rules by topic: several short imperative titles and several explanations each, all
# phrased in our own words, combined freely so no one rules block is memorised.
_RULE_TOPICS: list[tuple[list[str], list[str]]] = [
    (["Be respectful", "Keep it civil", "Stay civil", "Be kind", "Play nice", "Be courteous",
      "Respect others", "Be polite", "Mind your manners"],
     ["Personal attacks, name-calling and insults will be removed.",
      "Please do not insult other readers or the people in the story.",
      "Criticise ideas, not the people who hold them.",
      "Treat other commenters the way you would like to be treated.",
      "Disagree all you like, but do it without abuse."]),
    (["Watch your language", "Keep it family friendly", "No profanity", "Mind the language",
      "Keep it polite", "Clean language only"],
     ["Swearing and sexually explicit language are not permitted.",
      "Please leave out profanity, crude remarks and explicit content.",
      "Foul, obscene or graphic language will get your comment deleted.",
      "Comments with slurs or vulgar words are removed without warning."]),
    (["No threats", "No violence", "Never threaten", "Threats are banned", "Stay safe"],
     ["Threatening or encouraging violence against anyone is never allowed.",
      "Posts that threaten harm to any person will be removed and may be reported.",
      "We do not tolerate threats of any kind, even as a joke.",
      "Wishing harm on someone will get you banned."]),
    (["Be honest", "Stick to the facts", "Be accurate", "Tell the truth", "No false claims"],
     ["Do not impersonate others or make claims you know to be false.",
      "Please do not spread rumours or misinformation about anyone.",
      "Make sure what you post about real people is accurate.",
      "Deliberately misleading posts will be taken down."]),
    (["No hate speech", "No discrimination", "Respect everyone", "No bigotry"],
     ["Attacks on people for their race, religion, gender or origin are banned.",
      "Racist, sexist or homophobic remarks have no place here.",
      "Comments that demean any group of people will be removed.",
      "Do not single out people for who they are or where they come from."]),
    (["Help us moderate", "Report abuse", "Flag it", "Use the report button", "Speak up",
      "Let us know"],
     ["Flag comments that break these rules and our team will review them.",
      "If you see an abusive post, click Report and a moderator will look at it.",
      "Use the flag link under any comment that crosses the line.",
      "Tell our moderators about offensive posts with the report tool."]),
    (["Tell us more", "Add to the story", "Share your story", "Got a tip?", "Share what you know",
      "Add your voice"],
     ["We welcome first-hand accounts and background that add to the story.",
      "If you were there, we want to hear what you saw.",
      "Know more about this? Send our newsroom a tip.",
      "Your experiences and local knowledge help us report better."]),
    (["Don't be rude", "Don't attack", "No name-calling", "Don't pick fights", "Cool it"],
     ["Don't post anything you wouldn't say to someone's face.",
      "We're here to talk about the news, not about each other.",
      "You can disagree without calling anyone names.",
      "If you wouldn't say it at a town meeting, don't say it here."]),
    (["Don't make things up", "Don't spread rumours", "Get it right", "Know your facts"],
     ["Don't pass along gossip as if it were fact.",
      "If you're not sure something is true, don't post it.",
      "You'll lose your account if you knowingly post false claims."]),
    (["Don't bully", "No harassment", "Don't stalk", "Leave people alone"],
     ["Don't follow other users from story to story to harass them.",
      "Repeatedly targeting another reader isn't allowed.",
      "We'll remove comments that pile on or mock other readers."]),
    (["We're listening", "Talk to us", "Help us report", "Were you there?"],
     ["We'd like to know what you saw if you were at the scene.",
      "Your background on a story can help our reporters dig deeper.",
      "Tell us what we missed and we'll look into it."]),
    (["Stay on topic", "Keep it relevant", "Stick to the story", "On topic, please"],
     ["Comments that have nothing to do with the story may be deleted.",
      "Please keep the discussion about the article above.",
      "Off-topic posts and personal conversations will be removed."]),
    (["No spam", "No advertising", "No self-promotion", "No links"],
     ["Advertising, links to commercial sites and repeated posts are not allowed.",
      "Posts selling products or services will be deleted.",
      "Please do not post the same comment more than once."]),
    (["Protect privacy", "Respect privacy", "Keep it private", "No personal details"],
     ["Do not post phone numbers, addresses or other personal details.",
      "Never share private information about yourself or anyone else.",
      "Posting someone's contact details will get your account suspended."]),
    (["Keep it legal", "Obey the law", "No libel", "Think before posting"],
     ["Do not post anything defamatory or that breaks the law.",
      "You are responsible for what you post, including any legal consequences.",
      "Your comment is public and may be quoted in our coverage."]),
]

_RULE_HEADERS = ["Community guidelines", "Commenting policy", "Comment rules", "House rules",
                 "Our rules for comments", "Before you post", "Posting guidelines",
                 "Join the discussion", "Start the conversation", "Be part of the conversation",
                 "Have your say", "We value your comments", "Welcome to the conversation.",
                 "Welcome to our comment section.", "Welcome to the comments.",
                 "Thanks for joining the conversation.", "Welcome, readers.",
                 "Please read before commenting.", "Discussion rules", "Comment policy",
                 "Our commenting guidelines", "Welcome to the forum.", "Conversation guidelines",
                 "Please keep it civil.", "Rules of the road", "Before you comment"]

_POLICY = [
    "Comments are moderated and may take some time to appear.",
    "By posting you agree to our Terms of Use and Privacy Policy.",
    "We reserve the right to remove any comment at our discretion.",
    "Comments are the opinions of their authors, not of this site.",
    "Repeat offenders will lose their commenting privileges.",
    "Please keep your comments civil and relevant to the article.",
    "Use the report button to alert our moderators to an abusive post.",
    "Comments that break these guidelines will be removed.",
    "Read our full community guidelines before joining in.",
    "Only registered users may post comments.",
    "Comments close 72 hours after publication.",
    "We may ban users who repeatedly break the rules.",
    "Thank you for helping keep this a welcoming place.",
]


def _rule_line(rng: random.Random, title: str, text: str, style: int, n: int) -> str:
    if style == 0:
        return f"{title}. {text}"
    if style == 1:
        return f"{title}: {text}"
    if style == 2:
        return text
    if style == 3:
        return f"{title} - {text}"
    if style == 4:
        return f"{n}. {title}. {text}"
    if style == 5:  # title case ("Don't Be Rude"; str.title would give "Don'T")
        return " ".join(w[:1].upper() + w[1:] for w in title.split()) + f". {text}"
    return f"• {title}: {text}"


def rules_block(rng: random.Random) -> list[str]:
    """A community-rules block: maybe a header, several rules, maybe policy sentences."""
    out = [rng.choice(_RULE_HEADERS)] if rng.random() < 0.8 else []
    if out and rng.random() < 0.3:
        out.append(rng.choice(_RULE_HEADERS))
    style = rng.randrange(7)
    titles_apart = rng.random() < 0.1  # title on its own line, explanation below
    for n, (titles, texts) in enumerate(rng.sample(_RULE_TOPICS, rng.randrange(2, 8)), 1):
        title, text = rng.choice(titles), rng.choice(texts)
        if titles_apart:
            out += [title, text]
        else:
            out.append(_rule_line(rng, title, text, style, n))
    out += rng.sample(_POLICY, rng.randrange(0, 3))
    return out


def byline(rng: random.Random) -> list[str]:
    name = f"{rng.choice(_FIRST).title()} {rng.choice(_LAST).title()}"
    lines = []
    choice = rng.randrange(5)
    if choice == 0:
        lines.append(f"By {name}")
    elif choice == 1:
        lines.append(f"By {name.upper()}")
    elif choice == 2:
        lines += [f"By {name}", rng.choice(["Staff writer", "Associated Press", "Reporter"])]
    elif choice == 3:
        lines.append(f"{name}, {rng.choice(['Staff Writer', 'Reuters', 'Special to the paper'])}")
    if rng.random() < 0.7:
        lines.append(rng.choice(["Posted: ", "Published ", "Updated: ", "", "Last updated "])
                     + f"{date(rng)}{' ' + clock(rng) if rng.random() < 0.5 else ''}")
    return lines


def share_bar(rng: random.Random) -> list[str]:
    items = ["Facebook", "Twitter", "Email", "Print", "Share", "WhatsApp", "LinkedIn",
             "Copy link", "Save", "Tweet", "SMS", "Pinterest"]
    if rng.random() < 0.5:
        return [" ".join(rng.sample(items, rng.randrange(2, 6)))]
    return rng.sample(items, rng.randrange(2, 6))


def copyright_line(rng: random.Random, site: str) -> str:
    year = rng.randrange(2004, 2025)
    return rng.choice([
        f"Copyright {year} {site}. All rights reserved.",
        f"© {year} {site}", f"Copyright © {year} {site}. All Rights Reserved.",
        f"{site} © {year}. This material may not be published, broadcast, rewritten or "
        "redistributed.",
        "All rights reserved.",
    ])


def site_name(rng: random.Random) -> str:
    return rng.choice(["The Daily Courier", "Metro News", "KXYZ", "Channel 7", "The Herald",
                       "Valley Tribune", "City Post", "News 12", "The Gazette", "Daily Star"])


def recommended_header(rng: random.Random) -> str:
    return rng.choice(["Recommended for you", "Related stories", "More from this section",
                       "You may also like", "Trending now", "Most read", "Top stories",
                       "Related", "Around the web", "Popular", "Latest news", "Read next"])


def caption(rng: random.Random, title: str) -> str:
    words = title.split()[: rng.randrange(2, 8)]
    text = " ".join(words) or "File photo"
    return rng.choice([text, f"Photo: {text}", f"{text} (Photo: file)", f"Image: {text}",
                       f"{text} / Getty Images", f"{rng.choice(_FIRST).title()} "
                       f"{rng.choice(_LAST).title()}"])
