/**
 * .dockerignore semantics (as BuildKit applies them): each line is a pattern relative to the context root,
 * `*` and `?` stay within a path segment, `**` spans any number of segments, `!` re-includes, and the last
 * matching line wins. A pattern that matches a directory also excludes everything below it.
 */
interface Rule {
  exclude: boolean;
  regex: RegExp;
}

function toRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '*' && pattern[i + 1] === '*') {
      // "**/" matches zero or more leading segments; a trailing "**" matches everything below.
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // Matching a directory excludes its contents too.
  return new RegExp(`^${source}(?:/.*)?$`);
}

export function parseDockerignore(text: string): Rule[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const exclude = !line.startsWith('!');
      const pattern = (exclude ? line : line.slice(1)).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { exclude, regex: toRegex(pattern) };
    });
}

/** True when `path` (relative to the build context, with /) is sent to the builder. */
export function isInContext(rules: Rule[], path: string): boolean {
  let included = true;
  for (const rule of rules) if (rule.regex.test(path)) included = !rule.exclude;
  return included;
}
