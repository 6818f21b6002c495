// A file being edited: the imports its edits need (reused when bound
// already, refused when the name is taken), where they go (after the
// leading imports, before a module-level statement that uses them, on a
// line of their own after a last line with no line break), and undoing an
// idiom that failed half-way.
#include "fix/edited_file.h"

#include <gtest/gtest.h>

#include "audit/python/parser.h"

namespace tracemesh::fix {
namespace {

// A module parsed as the audit parses it, with the view bind() reads.
struct Module {
  explicit Module(const std::string& text)
      : module(*audit::parse_python("m.py", text)), view{&module, {}, {}, {}, {}} {
    for (const audit::Import& import : module.imports) {
      view.bound[import.alias.empty() ? (import.name.empty() ? import.module : import.name)
                                      : import.alias] = import;
    }
  }
  audit::PythonModule module;
  audit::ModuleView view;
};

std::string after(const EditedFile& file) {
  std::string out;
  EXPECT_TRUE(file.after(out));
  return out;
}

TEST(EditedFile, ImportsAfterALastLineWithoutALineBreakStartALineOfTheirOwn) {
  const std::string text = "import os  # noqa";
  const Module module(text);
  EditedFile file("m.py", text, module.view);
  EXPECT_EQ(file.bind_external("opentelemetry.propagate", "inject"), "inject");
  EXPECT_EQ(after(file), "import os  # noqa\nfrom opentelemetry.propagate import inject\n");
}

TEST(EditedFile, ImportsGoBeforeTheFirstDefinitionNotAfterALateImport) {
  const std::string text = "import os\n\n\ndef f():\n    pass\n\n\nimport views\n";
  const Module module(text);
  EditedFile file("m.py", text, module.view);
  file.bind_external("m2", "a");
  EXPECT_EQ(after(file), "import os\nfrom m2 import a\n\n\ndef f():\n    pass\n\n\nimport views\n");
}

TEST(EditedFile, AModuleStatementThatUsesAnImportComesAfterIt) {
  const std::string text = "import os\napp = App()\nimport late\n";
  const Module module(text);
  EditedFile file("m.py", text, module.view);
  EXPECT_EQ(file.bind_external("hooks", "capture"), "capture");
  const std::size_t after_app = text.find("import late");
  file.add_module_statement(after_app, "app.use(capture)\n");
  EXPECT_EQ(after(file),
            "import os\napp = App()\nfrom hooks import capture\napp.use(capture)\n"
            "import late\n");
}

TEST(EditedFile, ABoundNameIsReusedAndATakenOneRefused) {
  const std::string text = "from opentelemetry.propagate import inject as push\ninject = 1\n";
  const Module module(text);
  EditedFile file("m.py", text, module.view);
  EXPECT_EQ(file.bind_external("opentelemetry.propagate", "inject"), "push");
  EXPECT_EQ(file.bind_external("other", "inject"), "");  // module-level `inject = 1`
  EXPECT_FALSE(file.edited());
}

TEST(EditedFile, ACheckpointUndoesEditsAndImports) {
  const std::string text = "x = 1\r\n";
  const Module module(text);
  EditedFile file("m.py", text, module.view);
  const EditedFile::Checkpoint clean = file.checkpoint();
  file.bind_external("a", "b");
  file.add(0, 0, "# note\n");
  EXPECT_EQ(after(file), "from a import b\r\n# note\r\nx = 1\r\n");  // the file's line breaks
  file.restore(clean);
  EXPECT_FALSE(file.edited());
  EXPECT_EQ(after(file), text);
}

}  // namespace
}  // namespace tracemesh::fix
