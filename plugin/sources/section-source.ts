// A user's section function (`sources.cache`, `addSource('ingestion', fn)`) as a Source. The value it
// returns is checked against the section's schema: a value of the wrong shape is that source's error,
// never an exception and never a number invented to fill the gap.
import { Type, type TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import {
  CacheSection, EdgeEngineSection, IngestionSection, WebsocketSection, ModelRegistrySection,
  type ReportSections
} from '../../schemas/report.js'
import { ReliabilityErrors } from '../errors.js'
import { toIsoTimestamp } from '../iso-timestamp.js'
import type { ReportPatch, SectionSource, Source } from './source.js'

/** What a user section source may return: any subset of the section, timestamps (`*_ts`) as ISO text, epoch ms or Date. */
export type SectionInput<T> = { [K in keyof T]?: K extends `${string}_ts` ? string | number | Date | null : T[K] }

export const userSectionNames = ['cache', 'edge_engine', 'ingestion', 'websocket', 'model_registry'] as const
export type UserSectionName = typeof userSectionNames[number]

// People hand us timestamps as ISO strings, epoch milliseconds or Dates; the report says ISO.
const TimestampInput = Type.Union([Type.String(), Type.Number(), Type.Date(), Type.Null()])
const timestampKeys: Record<UserSectionName, readonly string[]> = {
  cache: [],
  edge_engine: ['last_edge_created_ts'],
  ingestion: ['last_ingest_ts'],
  websocket: ['last_broadcast_ts'],
  model_registry: []
}

function inputSchema (section: TSchema, timestamps: readonly string[]): TSchema {
  const properties: Record<string, TSchema> = {}
  for (const [key, schema] of Object.entries(section.properties as Record<string, TSchema>)) {
    properties[key] = Type.Optional(timestamps.includes(key) ? TimestampInput : schema)
  }
  return Type.Object(properties)
}

const checkers = {
  cache: TypeCompiler.Compile(inputSchema(CacheSection, timestampKeys.cache)),
  edge_engine: TypeCompiler.Compile(inputSchema(EdgeEngineSection, timestampKeys.edge_engine)),
  ingestion: TypeCompiler.Compile(inputSchema(IngestionSection, timestampKeys.ingestion)),
  websocket: TypeCompiler.Compile(inputSchema(WebsocketSection, timestampKeys.websocket)),
  model_registry: TypeCompiler.Compile(inputSchema(ModelRegistrySection, timestampKeys.model_registry))
}

export function createSectionSource<K extends UserSectionName> (
  name: K,
  fn: SectionSource<SectionInput<ReportSections[K]>>
): Source {
  const checker = checkers[name]
  const timestamps = timestampKeys[name]
  return {
    name,
    async collect (ctx) {
      const value = await fn(ctx)
      if (!checker.Check(value)) {
        const first = checker.Errors(value).First()
        const where = first?.path ? `${first.path.slice(1).replaceAll('/', '.')} ` : ''
        throw ReliabilityErrors.SOURCE_INVALID(name, `${where}${first?.message ?? 'not an object'}`.trim())
      }
      const section: Record<string, unknown> = { ...(value as object) }
      for (const key of timestamps) {
        if (key in section) section[key] = toIsoTimestamp(section[key])
      }
      return { [name]: section } as ReportPatch
    }
  }
}
