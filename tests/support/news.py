"""News files the ingest tests share: the committed saved-page subset and a small RSS feed."""

from __future__ import annotations

from pathlib import Path

HTML_SUBSET = Path(__file__).resolve().parents[1] / "data" / "html-news"  # 3 benchmark pages, MIT

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Harbour Gazette</title><link>https://gazette.test/</link>
<item><title>Ferry service resumes</title><link>https://gazette.test/ferry</link>
  <pubDate>Tue, 11 Mar 2025 23:30:00 -0500</pubDate><dc:creator>Ana Ruiz</dc:creator>
  <description>Short summary.</description>
  <content:encoded><![CDATA[<p>The harbour ferry carried <b>412 passengers</b> on its first day back.</p>
  <script>track()</script><p>Repairs to the pier cost &euro;2&nbsp;million.</p>]]></content:encoded></item>
<item><title>Council &amp; port agree on fees</title><link>https://gazette.test/fees</link>
  <pubDate>Wed, 12 Mar 2025 08:00:00 +0000</pubDate>
  <description>&lt;p&gt;The council and the port authority agreed on new mooring fees.&lt;/p&gt;</description></item>
<item><title>Photo of the day</title><link>https://gazette.test/photo</link></item>
</channel></rss>
"""
