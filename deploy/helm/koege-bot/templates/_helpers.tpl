{{- define "koege.name" -}}{{ .Release.Name }}{{- end -}}
{{- define "koege.labels" -}}
app.kubernetes.io/part-of: koege-bot
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{/* RASA_URL: every replica of the StatefulSet by its stable name, comma-separated. */}}
{{- define "koege.rasaUrls" -}}
{{- $name := include "koege.name" . -}}
{{- $urls := list -}}
{{- range $i := until (int .Values.rasa.replicas) -}}
{{- $urls = append $urls (printf "http://%s-rasa-%d.%s-rasa:5005" $name $i $name) -}}
{{- end -}}
{{- join "," $urls -}}
{{- end -}}
{{- define "koege.databaseUrlEnv" -}}
- name: APP_DB_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ .Values.existingSecret }}, key: postgres-password } }
- name: DATABASE_URL
  value: "postgresql://{{ .Values.appDb.user }}:$(APP_DB_PASSWORD)@{{ .Values.appDb.host }}:{{ .Values.appDb.port }}/{{ .Values.appDb.name }}"
- name: IDENTITY_SECRET
  valueFrom: { secretKeyRef: { name: {{ .Values.existingSecret }}, key: identity-secret } }
{{- end -}}
