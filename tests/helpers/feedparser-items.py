# Reads many feeds with Python feedparser in one process (one per file would
# cost a Python start-up each). Input on stdin: a JSON array of
# {"name", "bytes" (base64), "url"}. Output on stdout: a JSON array, one
# object per feed: {"name", "bozo", "version", "title", "items": [...]}, each
# item {"title", "link", "date" (epoch seconds or null), "author"}.
#
# Titles are given as a reader sees them: feedparser hands back HTML for a
# text/html title (it decided the text was HTML, or the feed said so), which
# is rendered here to its text (tags dropped, references decoded, script and
# style left out). Never fetches anything: each document is handed over as a
# stream, and the URL goes in as the Content-Location header (its base).

import base64
import calendar
import io
import json
import sys
from html.parser import HTMLParser

import feedparser


class _Text(HTMLParser):
    HIDDEN = {'script', 'style'}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def shown(detail, value):
    if value is None:
        return None
    if detail and detail.get('type') in ('text/html', 'application/xhtml+xml'):
        p = _Text()
        p.feed(value)
        p.close()
        value = ''.join(p.parts)
    return value


def instant(entry):
    for key in ('published_parsed', 'updated_parsed', 'created_parsed'):
        t = entry.get(key)
        if t:
            return calendar.timegm(t)
    return None


def author(entry):
    names = []
    for a in entry.get('authors') or []:
        n = a.get('name') or a.get('email')
        if n and n not in names:
            names.append(n)
    if names:
        return ', '.join(names)
    return entry.get('author')


def read(doc):
    d = feedparser.parse(io.BytesIO(base64.b64decode(doc['bytes'])), response_headers={'content-location': doc['url']})
    return {
        'name': doc['name'],
        'bozo': bool(d.get('bozo')),
        'version': d.get('version') or '',
        'title': shown(d.feed.get('title_detail'), d.feed.get('title')),
        'items': [
            {
                'title': shown(e.get('title_detail'), e.get('title')),
                'link': e.get('link'),
                'date': instant(e),
                'author': author(e),
            }
            for e in d.entries
        ],
    }


json.dump([read(doc) for doc in json.load(sys.stdin)], sys.stdout)
