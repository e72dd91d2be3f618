// HTML mail bodies reduced to the text a reader sees, the one such reduction in the project: content
// checks scan it and the approver page shows it. Tags are removed (inline tags join their neighbours, so
// "1234<span></span>5678" is "12345678"), <br>, <p>, <div>, list items, rows and headings end lines, table
// cells are separated by a tab, character references are decoded, whitespace collapses as a browser
// collapses it (except inside <pre>), and <script>, <style>, <head> and comments are dropped. Lines inside
// <blockquote> are prefixed with "> " per level, so that quoted text looks like quoted plain text.
// Pure, linear in the input; never fails (broken markup is read as far as it makes sense).
#pragma once
#include <string>
#include <string_view>

namespace preflight::mail {

std::string html_to_text(std::string_view html);

}  // namespace preflight::mail
