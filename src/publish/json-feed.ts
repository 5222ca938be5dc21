// The JSON Feed 1.1 shapes the publisher writes (render-feed.ts builds them,
// with keys in a fixed order so output bytes are stable).

export interface JsonFeed11Author {
  name: string;
}

export interface JsonFeed11Item {
  id: string;
  url?: string;
  title?: string;
  content_html: string;
  summary?: string;
  image?: string;
  date_published?: string;
  date_modified?: string;
  authors?: JsonFeed11Author[];
  tags?: string[];
  attachments?: JsonFeed11Attachment[];
}

export interface JsonFeed11Attachment {
  url: string;
  mime_type: string;
  size_in_bytes?: number;
  duration_in_seconds?: number;
}

export interface JsonFeed11 {
  version: 'https://jsonfeed.org/version/1.1';
  title: string;
  home_page_url?: string;
  feed_url?: string;
  description?: string;
  icon?: string;
  favicon?: string;
  language?: string;
  authors: JsonFeed11Author[];
  hubs?: { type: string; url: string }[];
  items: JsonFeed11Item[];
}
