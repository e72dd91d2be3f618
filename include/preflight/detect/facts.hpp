// Facts: named, plain values computed from a message, the only thing the policy sees. Every fact name a
// detector may produce is declared in the catalogue (fact_catalogue()), so a policy naming an unknown
// fact is refused at load time and the reference documentation lists them all.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace preflight::detect {

using StringList = std::vector<std::string>;
using FactValue = std::variant<bool, std::int64_t, std::string, StringList>;

enum class FactType { Bool, Number, Text, List };

struct FactInfo {
  std::string name;
  FactType type;
  std::string meaning;
};

// All facts the detectors produce, in documentation order.
const std::vector<FactInfo>& fact_catalogue();
const FactInfo* find_fact(const std::string& name);
const char* type_name(FactType t);

class Facts {
 public:
  void set(const std::string& name, FactValue value) { values_[name] = std::move(value); }
  const FactValue* get(const std::string& name) const;
  const std::map<std::string, FactValue>& all() const { return values_; }
  // A detector could not compute its facts fully (the content scan failed; the engine adds the context's
  // failed look-ups): what failed, for the fact context.degraded and the log.
  void degrade(std::string what) { degraded_.push_back(std::move(what)); }
  const std::vector<std::string>& degraded() const { return degraded_; }

 private:
  std::map<std::string, FactValue> values_;
  std::vector<std::string> degraded_;
};

// A short text of a value for reasons and logs: numbers, true/false, text, lists of at most 10 items.
std::string describe(const FactValue& v);

}  // namespace preflight::detect
