// XSS payloads as hostile feeds carry them in item bodies. Each must leave no
// executable trace anywhere refeed writes; the harmless markup around it
// (see `wrapped`) must survive.

export const XSS_PAYLOADS: {
  name: string;
  html: string;
  /**
   * Unterminated script or style: what follows is code, and lost (a browser
   * loses it too). Any other unclosed element loses only its own markup.
   */
  swallowsRest?: boolean;
}[] = [
  // script in many spellings
  { name: 'script tag', html: '<script>alert(1)</script>' },
  { name: 'SCRIPT uppercase with src', html: '<SCRIPT SRC=//evil.example/x.js></SCRIPT>' },
  { name: 'script with slash attribute', html: '<script/xss src="//evil.example/x.js"></script>' },
  { name: 'split script', html: '<scr<script>ipt>alert(1)</scr</script>ipt>' },
  { name: 'double open bracket', html: '<<script>alert(1);//<</script>' },
  { name: 'script in CDATA comment', html: '<script type="text/javascript">/*<!--*/alert(1)//--></script>' },
  { name: 'unclosed script', html: '<script src=//evil.example/x.js?', swallowsRest: true },
  { name: 'script in svg', html: '<svg><script>alert(1)</script></svg>' },
  { name: 'script in template', html: '<template><script>alert(1)</script></template>' },
  { name: 'script in textarea', html: '<textarea><script>alert(1)</script></textarea>' },
  { name: 'xmp breakout', html: '<xmp><p title="</xmp><img src=x onerror=alert(1)>"></xmp>' },
  { name: 'noscript breakout', html: '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>' },
  { name: 'comment breakout', html: '<!--<img src="--><img src=x onerror=alert(1)//">' },
  // on* handlers
  { name: 'img onerror', html: '<img src=x onerror=alert(1)>' },
  { name: 'img ONERROR quoted', html: '<img src="https://ok.example/i.png" ONERROR="alert(1)">' },
  { name: 'body onload', html: '<body onload=alert(1)>' },
  { name: 'div onmouseover', html: '<div onmouseover="alert(1)">hover</div>' },
  { name: 'details ontoggle', html: '<details open ontoggle=alert(1)><summary>s</summary></details>' },
  { name: 'audio onerror', html: '<audio src=x onerror=alert(1)></audio>' },
  { name: 'eval of src', html: '<img src=x:alert(alt) onerror=eval(src) alt=0>' },
  { name: 'handler after slash', html: '<img/src="x"/onerror="alert(1)">' },
  // script URLs
  { name: 'javascript href', html: '<a href="javascript:alert(1)">js</a>' },
  { name: 'JaVaScRiPt href', html: '<a href="JaVaScRiPt:alert(1)">js</a>' },
  { name: 'decimal entity scheme', html: '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">js</a>' },
  { name: 'hex entity scheme', html: '<a href="&#x6A;avascript&#x3A;alert(1)">js</a>' },
  { name: 'named colon entity', html: '<a href="javascript&colon;alert(1)">js</a>' },
  { name: 'tab in scheme', html: '<a href="java&#9;script:alert(1)">js</a>' },
  { name: 'newline in scheme', html: '<a href="java\nscript:alert(1)">js</a>' },
  { name: 'leading control characters', html: '<a href=" &#14;  javascript:alert(1)">js</a>' },
  { name: 'vbscript href', html: '<a href="vbscript:msgbox(1)">vb</a>' },
  { name: 'data text/html href', html: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d</a>' },
  { name: 'javascript img src', html: '<img src="javascript:alert(1)">' },
  { name: 'data text/html img src', html: '<img src="data:text/html,<script>alert(1)</script>">' },
  { name: 'javascript in srcset', html: '<img src="https://ok.example/a.png" srcset="https://ok.example/a.png 1x, javascript:alert(1) 2x">' },
  { name: 'picture source srcset', html: '<picture><source srcset="javascript:alert(1)"><img src="https://ok.example/p.png"></picture>' },
  { name: 'video poster and source', html: '<video poster="javascript:alert(1)"><source src="javascript:alert(1)"></video>' },
  { name: 'blockquote cite', html: '<blockquote cite="javascript:alert(1)">q</blockquote>' },
  { name: 'form action and formaction', html: '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">go</button><input type="submit" formaction="javascript:alert(1)"></form>' },
  { name: 'isindex action', html: '<isindex action="javascript:alert(1)" type=image>' },
  // SVG and MathML
  { name: 'svg onload', html: '<svg onload=alert(1)>' },
  { name: 'svg xlink javascript', html: '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="10">x</text></a></svg>' },
  { name: 'svg animate onbegin', html: '<svg><animate onbegin=alert(1) attributeName=x dur=1s></svg>' },
  { name: 'svg set href', html: '<svg><a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a></svg>' },
  { name: 'svg foreignObject', html: '<svg><foreignObject><iframe src="javascript:alert(1)"></iframe></foreignObject></svg>' },
  { name: 'math href', html: '<math href="javascript:alert(1)">CLICK</math>' },
  { name: 'math maction', html: '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>' },
  // (the rest is lost to the unclosed <style>, not to the <math>)
  { name: 'math mglyph style mXSS', html: '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>', swallowsRest: true },
  // unclosed containers: only their own markup goes (issue 11)
  { name: 'unclosed svg with script', html: '<svg><g><script>alert(1)</script><a xlink:href="javascript:alert(1)"><text>x</text></a>' },
  { name: 'unclosed math', html: '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)"><mi>x</mi>' },
  { name: 'unclosed textarea', html: '<textarea><img src=x onerror=alert(1)><script>alert(1)</script>' },
  { name: 'unclosed xmp', html: '<xmp><svg onload=alert(1)><iframe src="javascript:alert(1)">' },
  { name: 'unclosed title', html: '<title><script>alert(1)</script><a href="javascript:alert(1)">x</a>' },
  { name: 'unclosed iframe', html: '<iframe src="javascript:alert(1)"><img src=x onerror=alert(1)>' },
  { name: 'unclosed select', html: '<select><option><img src=x onerror=alert(1)>' },
  { name: 'unclosed template', html: '<template><script>alert(1)</script>' },
  // styles
  { name: 'style import', html: "<style>@import 'https://evil.example/x.css';</style>" },
  { name: 'style url javascript', html: '<style>body{background:url("javascript:alert(1)")}</style>' },
  { name: 'style attribute expression', html: '<p style="width: expression(alert(1))">x</p>' },
  { name: 'style attribute behavior', html: '<div style="behavior: url(https://evil.example/x.htc); -moz-binding: url(x.xml#x)">b</div>' },
  { name: 'link stylesheet', html: '<link rel="stylesheet" href="https://evil.example/x.css">' },
  // base, meta, frames, plugins
  { name: 'base href', html: '<base href="https://evil.example/">' },
  { name: 'meta refresh', html: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">' },
  { name: 'meta refresh data', html: '<meta http-equiv="refresh" content="0;url=data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">' },
  { name: 'iframe javascript', html: '<iframe src="javascript:alert(1)"></iframe>' },
  { name: 'iframe srcdoc', html: '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>' },
  { name: 'iframe foreign', html: '<iframe src="https://evil.example/"></iframe>' },
  { name: 'frameset', html: '<frameset><frame src="javascript:alert(1)"></frameset>' },
  { name: 'object data', html: '<object data="javascript:alert(1)"></object>' },
  { name: 'object data url', html: '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>' },
  { name: 'embed', html: '<embed src="https://evil.example/x.swf">' },
  { name: 'applet', html: '<applet code="X.class" codebase="https://evil.example/"></applet>' },
  { name: 'portal', html: '<portal src="https://evil.example/"></portal>' },
];

/** The payload between harmless markup that must survive sanitizing. */
export function wrapped(i: number): string {
  return `<p>keep-${i} <b>bold-${i}</b> <a href="https://ok.example/${i}">ok-link-${i}</a></p>${XSS_PAYLOADS[i].html}<p>after-${i}</p>`;
}

/** Pieces attacks are built from, for random soups in property tests. */
export const PAYLOAD_ALPHABET = [
  '<', '>', '</', '/>', '/', '"', "'", '`', '=', ' ', '\t', '\n', '\u0000', '\u000e', 'x', 'ok', '&', '&#', ';', '&#106;', '&#x6A;',
  '&colon;', '&lt;', '&gt;', '&amp;', ']]>', '<![CDATA[', '<!--', '-->', '<?xml-stylesheet href="x"?>',
  'script', 'SCRIPT', 'img', 'svg', 'math', 'mglyph', 'mtext', 'iframe', 'a', 'p', 'b', 'style', 'base', 'meta', 'object', 'embed',
  'form', 'button', 'input', 'noscript', 'template', 'textarea', 'title', 'xmp', 'details', 'video', 'source', 'table', 'frameset',
  'href', 'src', 'srcset', 'srcdoc', 'poster', 'formaction', 'action', 'xlink:href', 'data', 'http-equiv', 'refresh', 'content', 'style',
  'onerror', 'onload', 'ONCLICK', 'ontoggle', 'javascript:', 'JaVaScRiPt:', 'java\tscript:', 'java&#9;script:', 'vbscript:',
  'data:text/html,', 'data:image/png,', 'alert(1)', 'expression(', '@import', 'url(', 'https://ok.example/', '//evil.example/',
];
