/** A container image reference split into repository, tag and digest (`registry:5000/a/b:1.2@sha256:…`). */
export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(image: string): ImageRef {
  const [nameAndTag, digest] = image.split('@', 2);
  // A ':' after the last '/' separates the tag; one before it belongs to a registry host:port.
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  const repository = colon === -1 ? nameAndTag : nameAndTag.slice(0, colon);
  const tag = colon === -1 ? undefined : nameAndTag.slice(colon + 1);
  return { repository, tag: tag || undefined, digest: digest || undefined };
}

/**
 * Why an image reference is not reproducible, or undefined when it is pinned: a digest, or an explicit tag
 * other than `latest` (a missing tag means `latest`).
 */
export function unpinnedReason(image: string | undefined): string | undefined {
  if (!image) return 'has no image';
  const { tag, digest } = parseImageRef(image);
  if (digest) return undefined;
  if (!tag) return `image ${image} has no tag (means latest)`;
  if (tag === 'latest') return `image ${image} uses the latest tag`;
  return undefined;
}
