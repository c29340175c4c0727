{{/* Chart name, possibly overridden. */}}
{{- define "damselfly.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Object name prefix: <release>-damselfly, or the release name alone when it already says damselfly. */}}
{{- define "damselfly.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of the scheduler Deployment and Service. */}}
{{- define "damselfly.schedulerName" -}}
{{- printf "%s-scheduler" (include "damselfly.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* chart label value: name-version. */}}
{{- define "damselfly.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels common to every object. */}}
{{- define "damselfly.labels" -}}
helm.sh/chart: {{ include "damselfly.chart" . }}
app.kubernetes.io/name: {{ include "damselfly.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component; call with (dict "ctx" $ "component" "node"). */}}
{{- define "damselfly.selectorLabels" -}}
app.kubernetes.io/name: {{ include "damselfly.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* ServiceAccount the pods run as. */}}
{{- define "damselfly.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "damselfly.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference: repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "damselfly.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Scheduler addresses written into the node configuration, as a JSON list:
the chart's scheduler Service when scheduler.enabled, else scheduler.externalAddresses,
else [] (each node runs its embedded scheduler).
*/}}
{{- define "damselfly.schedulerAddresses" -}}
{{- if .Values.scheduler.enabled }}
{{- list (printf "%s.%s.svc.%s:%d" (include "damselfly.schedulerName" .) .Release.Namespace .Values.scheduler.clusterDomain (int .Values.scheduler.port)) | toJson }}
{{- else }}
{{- $external := .Values.scheduler.externalAddresses | default list }}
{{- if not (kindIs "slice" $external) }}
{{- fail (printf "scheduler.externalAddresses must be a list of host:port strings, got %v" $external) }}
{{- end }}
{{- $external | toJson }}
{{- end }}
{{- end }}

{{/* The address clients on the host use for the node's ports: 127.0.0.1 on the host network, else the
node's IP, which the init container receives as $(HOST_IP) (published with hostPorts). */}}
{{- define "damselfly.mirrorHost" -}}
{{- if .Values.node.hostNetwork }}127.0.0.1{{ else }}$(HOST_IP){{ end }}
{{- end }}

{{/* The node's configuration file: what the chart computes, with node.config merged over it. */}}
{{- define "damselfly.nodeConfig" -}}
{{- if not .Values.registries }}
{{- fail "registries must list at least one registry (the node's proxy allows only listed registries)" }}
{{- end }}
{{- $registries := list }}
{{- range .Values.registries }}
{{- if or (not .name) (not .server) }}
{{- fail (printf "every entry of registries needs a name and a server, got %v" .) }}
{{- end }}
{{- $registries = append $registries (dict "name" .name "url" .server) }}
{{- end }}
{{- $p := .Values.node.ports }}
{{- $computed := dict
  "dataDir" .Values.node.dataDir.hostPath
  "scheduler" (dict "addresses" (include "damselfly.schedulerAddresses" . | fromJsonArray))
  "upload" (dict "grpcPort" (int $p.grpc) "vortexPort" (int $p.vortex))
  "proxy" (dict
    "enabled" true
    "port" (int $p.proxy)
    "defaultRegistry" (first .Values.registries).name
    "registries" $registries
    "rules" (list (dict "regex" "blobs/sha256.*")))
  "metrics" (dict "port" (int $p.metrics))
  "health" (dict "port" (int $p.health))
}}
{{- $merged := mergeOverwrite $computed (deepCopy (.Values.node.config | default dict)) }}
{{- toYaml $merged }}
{{- end }}
