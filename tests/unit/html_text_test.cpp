// Unit tests for mail/html_text.hpp: what a reader of an HTML mail sees, as text.
#include "preflight/mail/html_text.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using preflight::mail::html_to_text;

TEST_CASE("HTML is reduced to the text a reader sees") {
  struct Case {
    const char* name;
    std::string html, text;
  };
  const std::vector<Case> cases = {
      {"tags removed, inline tags join their neighbours", "<b>1234</b><span></span>5678<i>9018</i>", "123456789018"},
      {"br, p and div end lines", "a<br>b<p>c</p><div>d</div>e", "a\nb\nc\nd\ne"},
      {"two br give a blank line", "a<br><br>b", "a\n\nb"},
      {"entities decoded", "&lt;x&gt; &amp; &quot;q&quot; &#12354;&#x3042; caf&eacute;", "<x> & \"q\" ああ caf&eacute;"},
      {"invisible references vanish", "1234&shy;5678&#8203;9018", "123456789018"},
      {"nbsp is a space", "a&nbsp;b", "a b"},
      {"whitespace collapses", "  a \n\t b  ", "a b"},
      {"pre keeps lines", "<pre>a\n  b</pre>", "a\n  b\n"},
      {"script, style, head and comments dropped",
       "<head><title>T</title><style>p{}</style></head><script>var x='<p>';</script><!-- c -->text", "text"},
      {"table cells separated by a tab, rows by lines", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>",
       "a\tb\nc\n"},
      {"blockquote lines are quoted, nested ones twice",
       "mine<blockquote>theirs<blockquote>older</blockquote>back</blockquote>end",
       "mine\n> theirs\n> > older\n> back\nend"},
      {"attributes with '>' inside quotes", "<a title=\"a>b\" href='x'>link</a>", "link"},
      {"a lone '<' and '&' are text", "a < b & c", "a < b & c"},
      {"unclosed markup ends the text", "a<div class=\"x", "a\n"},
      {"upper-case tags", "A<BR>B<SCRIPT>x</SCRIPT>C", "A\nBC"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CHECK(html_to_text(c.html) == c.text);
  }
}
