#include "report/markdown.h"

namespace tracemesh::report {

std::string markdown_cell(std::string_view text) {
  std::string cell;
  for (const char c : text) {
    if (c == '|') {
      cell += "\\|";
    } else if (c == '\n' || c == '\r' || c == '\t') {
      cell += ' ';
    } else {
      cell += c;
    }
  }
  return cell;
}

std::string markdown_table(const std::vector<std::string>& header,
                           const std::vector<std::vector<std::string>>& rows) {
  const auto line = [](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (const std::string& cell : cells) out += " " + markdown_cell(cell) + " |";
    return out + "\n";
  };
  std::string table = line(header) + "|";
  for (std::size_t i = 0; i < header.size(); ++i) table += "---|";
  table += "\n";
  for (const auto& row : rows) table += line(row);
  return table;
}

}  // namespace tracemesh::report
