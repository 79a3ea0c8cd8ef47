#pragma once
// libxml2 helpers the bank module shares (camt readers, tests): a safe reader and a few
// accessors by local name. Not part of the module's interface.

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace og::bridges::bank::detail {

struct XmlDocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocFree>;

// Parses without network, DTD loading or entity substitution; refuses a DOCTYPE (before
// parsing and after) and malformed XML, naming the line. `what` prefixes the messages.
XmlDoc read_xml(std::string_view bytes, const std::string& what);

std::string name_of(const xmlNode* n);       // local name
std::string namespace_of(const xmlNode* n);  // namespace URI ("" without one)
const xmlNode* child(const xmlNode* parent, const char* name);  // first element child, nullptr
std::vector<const xmlNode*> children(const xmlNode* parent, const char* name);
std::string text_of(const xmlNode* n);  // trimmed, valid UTF-8; "" for nullptr
std::string attr_of(const xmlNode* n, const char* name);
// "Document/BkToCstmrStmt/Stmt[2]/Ntry[1]/Amt (line 40)".
std::string path_of(const xmlNode* n);

}  // namespace og::bridges::bank::detail
