import type { AttributeIndexPlan } from '../store.js';

/** Parses stored index plans, keeping each text's parse: every write transaction reads its SoR's plan. */
export class IndexPlanTexts {
  private readonly parsed = new Map<string, AttributeIndexPlan>();

  read(text: string | null | undefined): AttributeIndexPlan | undefined {
    if (typeof text !== 'string') return undefined;
    let plan = this.parsed.get(text);
    if (plan === undefined) {
      if (this.parsed.size >= 256) this.parsed.clear();
      plan = JSON.parse(text) as AttributeIndexPlan;
      this.parsed.set(text, plan);
    }
    return plan;
  }
}
