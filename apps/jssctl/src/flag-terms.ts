// The planner answers in the bus contract's terms (`plan: false`, `bootOrder`); a person who typed
// jssctl's flags reads them as the flags. Only whole terms of a sentence, never a schema path
// such as `data.bootOrder[0]`.
const FLAG_OF: ReadonlyArray<[RegExp, string]> = [
  [/(?<![.\w])plan: false(?![\w])/g, '--no-plan'],
  [/(?<![.\w])bootOrder(?![\w[])/g, '--boot-order'],
  [/(?<![.\w])networkMap(?![\w[])/g, '--map'],
];

/** A refusal's message with the bus fields a jssctl flag sets named as that flag. */
export function inFlagTerms(message: string): string {
  return FLAG_OF.reduce((m, [field, flag]) => m.replace(field, flag), message);
}
