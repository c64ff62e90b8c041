import { LineCounter, parseDocument } from 'yaml';

export interface PlacedProblem {
  place: string;
  message: string;
  /** 1-based line in the template text, when the place could be found there. */
  line?: number;
}

/** Finds each problem's place (`entities.User.attributes[2].type`) in the YAML text, so it can be shown there. */
export function placeProblems(yamlText: string, problems: { place: string; message: string }[]): PlacedProblem[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter, keepSourceTokens: false });
  return problems.map((problem) => {
    const path = pathOf(problem.place);
    for (let length = path.length; length > 0; length--) {
      const node = document.getIn(path.slice(0, length), true) as { range?: [number, number, number] } | undefined;
      const offset = node && typeof node === 'object' && node.range ? node.range[0] : undefined;
      if (offset !== undefined) return { ...problem, line: lineCounter.linePos(offset).line };
    }
    return problem;
  });
}

function pathOf(place: string): (string | number)[] {
  const path: (string | number)[] = [];
  for (const part of place.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) path.push(part[2] !== undefined ? Number(part[2]) : part[1]!);
  return path;
}
