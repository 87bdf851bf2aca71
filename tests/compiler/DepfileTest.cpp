#include "driver/Depfile.h"

#include <gtest/gtest.h>

using namespace ebpfc::driver;

TEST(Depfile, TargetIsTheOutputByDefault) {
  DepfileOptions options;
  options.enabled = true;
  EXPECT_EQ(formatDepfile(options, "build/prog.o", {"prog.c", "hdr.h"}), "build/prog.o: prog.c hdr.h\n");
}

TEST(Depfile, EscapesMakeSpecialCharacters) {
  DepfileOptions options;
  EXPECT_EQ(formatDepfile(options, "my prog.o", {"a b.c", "c#d.h", "e$f.h"}),
            "my\\ prog.o: a\\ b.c c\\#d.h e$$f.h\n");
}

TEST(Depfile, ExplicitTargetsAndPhonyRules) {
  DepfileOptions options;
  options.targets = {"x.o", "x.skel.h"};
  options.phonyTargets = true;
  EXPECT_EQ(formatDepfile(options, "ignored.o", {"x.c", "a.h", "b.h"}),
            "x.o x.skel.h: x.c a.h b.h\n\na.h:\n\nb.h:\n");
}

TEST(Depfile, LongListsWrap) {
  DepfileOptions options;
  std::vector<std::string> deps;
  for (int i = 0; i < 10; ++i)
    deps.push_back("/usr/include/some/long/header_number_" + std::to_string(i) + ".h");
  std::string text = formatDepfile(options, "p.o", deps);
  EXPECT_NE(text.find(" \\\n "), std::string::npos);
  for (const std::string &line : {text.substr(0, text.find('\n'))})
    EXPECT_LE(line.size(), 80u);
}

TEST(Depfile, DefaultPath) {
  EXPECT_EQ(defaultDepfilePath("out/prog.o"), "out/prog.d");
  EXPECT_EQ(defaultDepfilePath("out.dir/prog"), "out.dir/prog.d");
}
