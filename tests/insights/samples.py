"""Small exports shaped as the platforms write them (headers, encodings, quirks), built in code."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path

from vidkit.track.registry import Registry, Video

T0 = 1_790_000_000  # 2026-09-21
BASE = "https://share.example.org"

FACEBOOK_HEADERS = [
    "Post ID", "Page ID", "Page name", "Title", "Description", "Duration (sec)", "Publish time",
    "Caption type", "Permalink", "Is crosspost", "Is share", "Post type", "Languages",
    "Custom labels", "Funded content status", "Data comment", "Date", "Views", "Reach",
    "Reactions, Comments and Shares", "Reactions", "Comments", "Shares", "Total clicks",
    "Link clicks", "Other Clicks", "Matched Audience Targeting Consumption (Photo Click)",
    "Negative feedback from users: Hide all", "Seconds viewed", "Average Seconds viewed",
    "Estimated earnings (USD)", "3-Second Video Views", "1-Minute Video Views",
]  # fmt: skip


def video(registry: Registry, n: int) -> str:
    """Register a video (no file needed) and return its id."""
    digest = f"{n:02d}" + "ab" * 31
    registry.register(
        Video(digest[:12], digest, f"v{n}", "", f"{digest}.mp4", None, None, (), 320, 568, 2.0,
              1, T0)
    )  # fmt: skip
    return digest[:12]


def table(rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def facebook_row(
    post_id: str, description: str, published: str, views: str, **cells: str
) -> list[str]:
    values = {
        "Post ID": post_id, "Page ID": "1040000000000001", "Page name": "Campaign",
        "Description": description, "Publish time": published, "Post type": "Videos",
        "Permalink": f"https://www.facebook.com/1040000000000001/videos/{post_id}/",
        "Date": "Lifetime", "Views": views, "Reach": "900", "Reactions": "40", "Comments": "5",
        "Shares": "7", "Reactions, Comments and Shares": "52", "Total clicks": "33",
        "Seconds viewed": "1,830", "3-Second Video Views": "640", **cells,
    }  # fmt: skip
    return [values.get(h, "") for h in FACEBOOK_HEADERS]


def facebook_csv(code: str) -> bytes:
    """A Meta Business Suite Facebook post export: UTF-8 with a BOM, 33 columns, CRLF."""
    rows = [
        FACEBOOK_HEADERS,
        facebook_row("1111", f"Amira's story. Watch and share: {BASE}/s/{code} #vote",
                     "09/21/2026 14:05", "1,234"),
        facebook_row("2222", "Rally highlights (no link)", "09/23/2026 08:00", "—"),
        facebook_row("", "a row without its id", "09/24/2026 08:00", "5"),
        facebook_row("3333", "Negative views", "09/25/2026 09:30", "-4"),
    ]  # fmt: skip
    return codecs.BOM_UTF8 + table(rows).encode()


def instagram_csv(code: str) -> bytes:
    header = ["Post ID", "Account ID", "Account username", "Account name", "Description",
              "Duration (sec)", "Publish time", "Permalink", "Post type", "Data comment", "Date",
              "Views", "Reach", "Likes", "Shares", "Follows", "Comments", "Saves"]  # fmt: skip
    rows = [
        header,
        ["17900000000000001", "1784", "campaign", "Campaign", f"Link in bio {BASE}/s/{code}",
         "31", "09/22/2026 18:00", "https://www.instagram.com/reel/DAbCdEf/", "IG reel", "",
         "Lifetime", "2.345", "1.900", "210", "12", "3", "9", "15"],
    ]  # fmt: skip
    return codecs.BOM_UTF8 + table(rows).encode()


def youtube_csv() -> bytes:
    """YouTube Studio's ``Table data.csv``: a Total row first, watch time in hours."""
    rows = [
        ["Content", "Video title", "Video publish time", "Duration", "Views", "Engaged views",
         "Watch time (hours)", "Subscribers", "Impressions", "Impressions click-through rate (%)"],
        ["Total", "", "", "", "1500", "1400", "20.5", "3", "9000", "4.1"],
        ["dQw4w9WgXcQ", "Our town, our vote", "Sep 21, 2026", "62", "1200", "1100", "12.5", "2",
         "7000", "4.5"],
        ["aBcDeFgHiJk", "Short: why I vote", "Sep 23, 2026", "31", "300", "280", "8", "-1",
         "2000", "3.2"],
    ]  # fmt: skip
    return table(rows).encode()


TIKTOK_HEADER = ["Time", "Video title", "Video link", "Post time", "Total likes",
                 "Total comments", "Total shares", "Total views"]  # fmt: skip


def tiktok_rows() -> list[list[str]]:
    return [
        TIKTOK_HEADER,
        ["Sep 21", "Amira's story", "https://www.tiktok.com/@campaign/video/7283456789012345678",
         "Sep 21", "1,204", "33", "undefined", "15,400"],
        ["Sep 24", "Why I vote #vote", "https://www.tiktok.com/@campaign/video/7283456789012345999",
         "Sep 24", "88", "-2", "4", "2,100"],
    ]  # fmt: skip


def tiktok_zip(path: Path) -> Path:
    """A TikTok Studio download: a zip of CSVs (content, overview, follower breakdowns)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("Content.csv", table(tiktok_rows()))
        z.writestr("Overview.csv", "Date,Video Views,Profile Views,Likes,Comments,Shares\r\n"
                                   "Sep 21,100,5,10,1,0\r\n")  # fmt: skip
        z.writestr("FollowerGender.csv", "Gender,Distribution\r\nFemale,56%\r\nMale,41%\r\n"
                                         "Other,3%\r\n")  # fmt: skip
        z.writestr(
            "FollowerTopTerritories.csv",
            "Top territories,Distribution\r\nUnited Kingdom,0.81\r\nIreland,0.05\r\n",
        )
    return path


def tiktok_xlsx(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in tiktok_rows():
        sheet.append([int(c.replace(",", "")) if c.replace(",", "").isdigit() else c for c in row])
    book.save(path)
    return path


def x_csv() -> bytes:
    header = ["Post id", "Date", "Post text", "Post Link", "Impressions", "Likes", "Engagements",
              "Bookmarks", "Shares", "New follows", "Replies", "Reposts", "Profile visits",
              "Detail Expands", "URL Clicks", "Hashtag Clicks", "Permalink Clicks"]  # fmt: skip
    rows = [
        header,
        ["1837000000000000001", "Mon, Sep 21, 2026", "Watch Amira: https://t.co/Ab12Cd34",
         "https://x.com/campaign/status/1837000000000000001", "5400", "120", "300", "9", "4",
         "2", "11", "30", "14", "40", "66", "3", "8"],
    ]  # fmt: skip
    return table(rows).encode()


def meta_audience_csv() -> bytes:
    """Meta's ``Audience.csv``: UTF-16 LE with a BOM, a ``sep=,`` line, stacked blocks."""
    lines = [
        "sep=,", '"Age & gender"', '"Age","Women","Men"', '"18-24","6.1%","4.9%"',
        '"25-34","12.0%","10.0%"', '"35-44","15.0%","13.0%"', '"45-54","10.0%","9.0%"',
        '"55-64","8.0%","6.0%"', '"65+","3.5%","2.5%"', '""', '"Top cities"',
        '"City","Value"', '"London, England","21.4%"', '"Leeds, England","9.8%"', '""',
        '"Top countries"', '"Country","Value"', '"United Kingdom","88.2%"', '"Ireland","3.1%"',
    ]  # fmt: skip
    return codecs.BOM_UTF16_LE + "\r\n".join(lines).encode("utf-16-le")


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path
