// The organisation: which domains are internal, which senders form groups, and the thresholds of
// recipient facts. Organisational domains come from the Public Suffix List (libpsl), so
// `a.example.co.jp` and `example.co.jp` are one organisation and `co.jp` is none.
// Immutable after construction; safe to share between threads.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace preflight::detect {

struct MinorityRule {
  int max_external = 2;  // at most this many external recipients ...
  int min_internal = 5;  // ... among at least this many internal ones
};

// One person in the directory file the administrator maintains (sender -> supervisor, department).
struct DirectoryEntry {
  std::string supervisor;  // who approves this person's mail when a rule says "supervisor"
  std::string deputy;      // who is asked too when an approval of this person's is escalated
  std::string delegate;    // who decides in this person's place while they are away (asked as well)
  std::string department;
};

// A company the organisation deals with: its names as they appear in mail and its domains.
struct Partner {
  std::string company;             // e.g. 株式会社サンプル商事
  std::vector<std::string> names;  // other spellings: サンプル商事, サンプル社, Sample Trading (NFKC'd)
  std::vector<std::string> domains;
  // What the company-name check looks for: company and names, NFKC'd and lower-cased, those of at least
  // three bytes. Filled by prepare_partner() when the policy is compiled, not for every mail.
  std::vector<std::string> needles;
};

// Fills p.needles from p.company and p.names.
void prepare_partner(Partner& p);

class ContentScanner;
class DomainIndex;
struct KeywordSet;

struct Organisation {
  std::vector<std::string> internal_domains;  // lower-case ASCII (IDN converted); subdomains included
  std::map<std::string, std::vector<std::string>> groups;  // name -> sender patterns (glob)
  std::map<std::string, std::vector<std::string>> roles;   // name -> approver addresses
  std::map<std::string, DirectoryEntry> directory;         // mailbox key (mail::mailbox_key) -> entry
  // The role asked when an approval rule finds nobody else (sender not in the directory, empty role);
  // empty: such mail is tempfailed. organisation.approver_fallback in the policy.
  std::string approver_fallback = "security";
  MinorityRule minority;
  std::vector<std::string> mailing_lists;  // recipient patterns that are lists (all@*, ml-*@…, *-list@*)
  std::vector<std::string> important;      // recipient patterns that are important customers
  std::vector<Partner> partners;           // known companies: look-alike and company-name checks
  std::int64_t split_window_seconds = 3600;  // split mass mailing: exposure counted over this window
  std::shared_ptr<const ContentScanner> scanner;  // keyword sets + PII patterns, compiled with the policy
  std::shared_ptr<const DomainIndex> domain_index;  // own_domains() for look-alike checks, built with the policy
  std::string notice_language = "ja+en";  // ja+en, ja, en
  std::string notice_charset = "utf-8";   // utf-8, iso-2022-jp

  bool is_internal(const std::string& domain) const;
  // The internal and partner domains: known whatever the history says.
  std::vector<std::string> own_domains() const;
};

// Lower-case, trailing dot removed, IDN converted to its ASCII (punycode) form; unchanged if invalid.
std::string normalise_domain(const std::string& domain);
// The registrable domain ("example.co.jp" for "a.b.example.co.jp"); the domain itself when it has none.
std::string organisational_domain(const std::string& domain);
// True when the domain is itself a public suffix such as "co.jp" or "com".
bool is_public_suffix(const std::string& domain);
// Case-insensitive glob ('*' and '?') used for sender patterns and list addresses.
bool glob_match(const std::string& pattern, const std::string& text);

}  // namespace preflight::detect
