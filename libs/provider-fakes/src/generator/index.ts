export { generateLibraries, computeUnifiedCounts, type GeneratedLibraries, type UnifiedCounts } from './generate';
export { GENERATE_DEFAULTS, type GenerateOptions, type ResolvedGenerateOptions } from './options';
export { Catalogue, type CanonicalAlbum, type CanonicalArtist, type CanonicalTrack } from './catalogue';
export { ProviderLibrary, type ProviderCounts, type ProviderName } from './provider-library';
export { spotifyId, spotifyIndex, deezerId, deezerIndex, type EntityKind } from './ids';
export { toEan13, gtinCheckDigit } from './codes';
