// Allure 3 configuration, read by `make report` (npx allure generate). The categories come from
// the run itself: fixtures/reporting.py writes them to categories.json (Allure 2's format) in
// the results folder, so one Python list stays the single source for Allure 2 and Allure 3.
import { existsSync, readFileSync } from "node:fs";

const file = "reports/allure-results/categories.json";
const legacy = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : [];

export default {
  name: "Parallel Booking Conformance",
  output: "reports/allure-report",
  categories: legacy.map((category) => ({
    name: category.name,
    matchers: {
      statuses: category.matchedStatuses,
      ...(category.messageRegex ? { message: new RegExp(category.messageRegex) } : {}),
    },
    groupByMessage: true,
    expand: true,
  })),
  // The tree reads like the guide: group (Mandatory, Advanced, ...) > scenario > checklist item.
  plugins: { awesome: { options: { reportLanguage: "en", groupBy: ["epic", "feature"] } } },
};
